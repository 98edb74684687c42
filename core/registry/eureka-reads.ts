/**
 * Eureka's read answers, served from the mirror (never from the store): changes are visible on
 * the next GET, unlike Eureka's 30-second response cache. The full registry, which every client
 * fetches every 30 s, is serialised (and gzipped) once per mirror version and shared.
 */
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { GatewayError } from '../errors.js';
import { applicationsJson, appsHashcode, instanceJson, vipListContains, type ServedInstance } from './eureka-output.js';
import type { RegistryMirror } from './mirror.js';

const gzipAsync = promisify(gzip);

export interface Payload {
  readonly json: string;
  /** Compressed on first request. */
  gzipped(): Promise<Buffer>;
}

function payload(value: unknown): Payload {
  const json = JSON.stringify(value);
  let compressed: Promise<Buffer> | undefined;
  return { json, gzipped: () => (compressed ??= gzipAsync(json)) };
}

export class EurekaReads {
  private cached: { version: number; payload: Payload } | undefined;

  constructor(private readonly mirror: RegistryMirror) {}

  full(): Payload {
    if (this.cached?.version !== this.mirror.version) {
      this.cached = { version: this.mirror.version, payload: payload(applicationsJson(this.mirror.instances(), this.mirror.revision)) };
    }
    return this.cached.payload;
  }

  /** Recent changes, with the hash of the full registry so clients can check what they applied. */
  delta(): Payload {
    const hash = appsHashcode([...this.mirror.instances()].map((served) => served.record.status));
    return payload(applicationsJson(this.mirror.delta.changes(), this.mirror.revision, hash));
  }

  application(app: string): Payload {
    const name = app.toUpperCase();
    const instances = [...this.mirror.instances()].filter((served) => served.record.app === name);
    if (instances.length === 0) throw new GatewayError('LG_ERR_EUREKA_UNKNOWN_APPLICATION', { app: name });
    const [application] = applicationsJson(instances, this.mirror.revision).applications.application;
    return payload({ application });
  }

  instance(app: string, id: string): Payload {
    const served = this.mirror.instance(app, id);
    if (!served) throw new GatewayError('LG_ERR_EUREKA_UNKNOWN_INSTANCE', { app: app.toUpperCase(), id });
    return payload({ instance: instanceJson(served) });
  }

  /** `GET /instances/ID`: the first instance with that id, whatever its application. */
  instanceById(id: string): Payload {
    const served = [...this.mirror.instances()].find((candidate) => candidate.record.instanceId === id);
    if (!served) throw new GatewayError('LG_ERR_EUREKA_UNKNOWN_INSTANCE', { app: '*', id });
    return payload({ instance: instanceJson(served) });
  }

  vip(vip: string, secure: boolean): Payload {
    const matches = (served: ServedInstance) => vipListContains(secure ? served.record.secureVipAddress : served.record.vipAddress, vip);
    return payload(applicationsJson([...this.mirror.instances()].filter(matches), this.mirror.revision));
  }
}
