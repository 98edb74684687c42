/**
 * The live gateways of the cluster, as the gateway heartbeat lists them to clients: the
 * `host:port` of every entry under `<prefix>members/` (core/etcd/member.ts). Each entry lives
 * under its gateway's lease, so a gateway that stops (lease revoked) or dies (lease expired)
 * drops out by itself; nothing here judges liveness.
 *
 *   list members/ at revision R ──► host:port by key ──► hostPorts() (no etcd I/O per request)
 *   watch from R + 1 ──► put: set / delete: remove    compacted ──► list again
 *
 * While etcd is unreachable the last known list is kept (the watch resumes where it stopped).
 */
import type { IKeyValue } from 'etcd3';
import type { Logger } from '../contracts.js';
import type { GatewayPeers } from '../gateway-heartbeat.js';
import type { EtcdConnection } from './connection.js';
import { prefixRange } from './keys.js';
import { RangeWatch } from './range-watch.js';

const RETRY_MS = 1000;

/** `host:port` of one member entry; undefined when it names no usable listener. */
export function memberHostPort(value: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const entry = parsed as { hostPort?: unknown; addr?: unknown; host?: unknown };
  if (typeof entry.hostPort === 'string' && /^[^\s/]+:\d+$/.test(entry.hostPort)) return entry.hostPort;
  // An entry without hostPort: its listener URL, a wildcard address standing for the member's host.
  if (typeof entry.addr !== 'string') return undefined;
  try {
    const url = new URL(entry.addr);
    if (url.port === '') return undefined;
    const wildcard = url.hostname === '0.0.0.0' || url.hostname === '[::]';
    if (wildcard && typeof entry.host !== 'string') return undefined;
    return `${wildcard ? (entry.host as string) : url.hostname}:${url.port}`;
  } catch {
    return undefined;
  }
}

export class GatewayMembers implements GatewayPeers {
  private readonly byKey = new Map<string, string>();
  private watch: RangeWatch | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly etcd: EtcdConnection, private readonly logger: Logger) {}

  /** Lists the members and follows changes; retries in the background while etcd is unreachable. */
  async start(): Promise<void> {
    this.watch?.close();
    this.watch = undefined;
    try {
      const listing = await this.etcd.list('members list', this.etcd.keys.members, { code: 'LG_ERR_ETCD_UNAVAILABLE' });
      if (this.closed) return;
      this.byKey.clear();
      for (const kv of listing.kvs) this.put(kv);
      this.watch = new RangeWatch(this.etcd.client, prefixRange(this.etcd.keys.members), listing.revision + 1, {
        events: (events) => {
          for (const event of events) {
            if (event.type === 'Put') this.put(event.kv);
            else this.byKey.delete(event.kv.key.toString('utf8'));
          }
        },
        compacted: () => void this.start(),
      }, this.logger.child({ watch: 'members' }));
    } catch (error) {
      if (this.closed) return;
      this.logger.warn({ err: error }, 'listing the gateways in etcd failed; retrying');
      clearTimeout(this.retry);
      this.retry = setTimeout(() => void this.start(), RETRY_MS);
      this.retry.unref();
    }
  }

  hostPorts(): string[] {
    return [...new Set(this.byKey.values())];
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.watch?.close();
  }

  private put(kv: IKeyValue): void {
    const key = kv.key.toString('utf8');
    const hostPort = memberHostPort(kv.value.toString('utf8'));
    if (hostPort === undefined) this.byKey.delete(key);
    else this.byKey.set(key, hostPort);
  }
}
