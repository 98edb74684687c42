/**
 * One gateway's connection to etcd: the npm `etcd3` client (gRPC to every endpoint), the
 * keep-alive stream, the key layout, and `call`, through which every unary etcd call goes:
 *
 *   call(op, attempt) ── attempt({deadline}) ──► etcd3 pool ──► host breaker ──► a member
 *         ▲   transport error / deadline, time left? retry (the pool picks another host)
 *         └── out of time, or every host skipped ──► GatewayError(code) with the cause (→ 503)
 *
 * Each operation has one deadline (`registry.etcd.timeout`, default 2 s) shared by its attempts;
 * an attempt gets at most half of it, so a call stuck on a member that just died leaves time for
 * a retry elsewhere (a write proposed to a follower whose leader vanished is lost, and waits
 * forever). Keep-alives are the exception: a follower holds them until a new leader is elected
 * (≈1.2 s) and then answers, so they get all the time left.
 * Every call we make is safe to repeat: writes compare revisions, keep-alives and reads are
 * idempotent.
 */
import { castGrpcError, Etcd3, EtcdError, isRecoverableError, type ICompare, type IKeyValue } from 'etcd3';
import type { Logger } from '../contracts.js';
import { GatewayError, type ErrorCode } from '../errors.js';
import { faultHandling, HostSkippedError } from './fault-policy.js';
import { KeepAliveStream } from './keep-alive.js';
import { EtcdKeys, prefixRange } from './keys.js';

/** gRPC call options (a deadline), as etcd3's clients take them. */
export type CallOptions = NonNullable<Parameters<Etcd3['kv']['range']>[1]>;

export interface EtcdSettings {
  readonly endpoints: readonly string[];
  readonly prefix: string;
  /** Deadline of one operation, in milliseconds. */
  readonly timeout: number;
}

export interface ConditionalPut {
  readonly key: string;
  readonly value: Buffer;
  /** All must hold for the put to happen. */
  readonly compare: readonly ICompare[];
  /** A lease id to attach; omitted: keep the key's current lease (`ignore_lease`). */
  readonly lease?: string;
}

export type PutOutcome =
  /** `kv`: the key as written; `previous`: what it replaced. */
  | { readonly ok: true; readonly revision: number; readonly kv: IKeyValue; readonly previous: IKeyValue | undefined }
  /** A compare failed; `current` is the key as it is (undefined: absent). */
  | { readonly ok: false; readonly current: IKeyValue | undefined };

export interface Listing {
  readonly revision: number;
  readonly kvs: readonly IKeyValue[];
}

export interface CallSettings {
  /** What an exhausted call is reported as (the caller's area: registry, sessions, …). */
  readonly code?: ErrorCode;
  /** An absolute end shared by several calls of one operation (epoch ms). */
  readonly until?: number;
  /**
   * Give each attempt all the time left instead of half: for calls a live member completes once
   * a new leader is elected (keep-alives), where starting over elsewhere only restarts the wait.
   */
  readonly patient?: boolean;
}

const MIN_ATTEMPT_MS = 250;

/** An error of the way to etcd (worth another attempt), rather than etcd's answer. */
function isTransportError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const typed = castGrpcError(error);
  if (typed instanceof EtcdError) return false;
  return isRecoverableError(typed) || !('code' in error);
}

export class EtcdConnection {
  readonly client: Etcd3;
  readonly keys: EtcdKeys;
  readonly timeoutMs: number;
  private readonly keepAlives: KeepAliveStream;
  private closed = false;

  constructor(readonly settings: EtcdSettings, private readonly logger: Logger) {
    this.keys = new EtcdKeys(settings.prefix);
    this.timeoutMs = settings.timeout;
    this.client = new Etcd3({
      hosts: [...settings.endpoints],
      faultHandling,
      // Notices a member that vanished without closing its connections; etcd refuses pings more often than every 5 s.
      grpcOptions: { 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 3_000 },
    });
    this.keepAlives = new KeepAliveStream(this.client);
  }

  get endpoints(): string {
    return this.settings.endpoints.join(',');
  }

  /** Runs one etcd operation under the deadline, retrying transport errors while time is left. */
  async call<T>(operation: string, attempt: (options: CallOptions) => Promise<T>, settings: CallSettings = {}): Promise<T> {
    const until = settings.until ?? Date.now() + this.timeoutMs;
    let lastError: unknown = new Error('no time left');
    for (let round = 0; !this.closed; round++) {
      const left = until - Date.now();
      if (left <= 0) break;
      const slice = settings.patient ? left : Math.min(left, Math.max(this.timeoutMs / 2, MIN_ATTEMPT_MS));
      try {
        return await attempt({ deadline: new Date(Date.now() + slice) });
      } catch (error) {
        lastError = error;
        // Every host failed just now: answer at once rather than wait out the deadline.
        if (error instanceof HostSkippedError || !isTransportError(error)) break;
        if (round === 0) this.logger.debug({ operation, err: error }, 'etcd call failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(25 * 2 ** round, Math.max(0, until - Date.now()))));
      }
    }
    if (!isTransportError(lastError) && !(lastError instanceof HostSkippedError) && !this.closed) throw lastError;
    const reason = `etcd (${this.endpoints}) did not answer ${operation}: ${(lastError as Error).message}`;
    throw new GatewayError(settings.code ?? 'LG_ERR_REGISTRY_UNAVAILABLE', { reason }, { cause: lastError });
  }

  async get(operation: string, key: string, settings: CallSettings = {}): Promise<{ revision: number; kv: IKeyValue | undefined }> {
    const response = await this.call(operation, (options) => this.client.kv.range({ key: Buffer.from(key) }, options), settings);
    return { revision: Number(response.header.revision), kv: response.kvs[0] };
  }

  /** Every key under `prefix`, and the revision the listing reflects. */
  async list(operation: string, prefix: string, settings: CallSettings = {}): Promise<Listing> {
    const range = prefixRange(prefix);
    const response = await this.call(operation, (options) => this.client.kv.range({ key: range.key, range_end: range.rangeEnd }, options), settings);
    return { revision: Number(response.header.revision), kvs: response.kvs };
  }

  /** One transaction: if every compare holds, put (and read back); else read what is there. */
  async putIf(operation: string, put: ConditionalPut, settings: CallSettings = {}): Promise<PutOutcome> {
    const key = Buffer.from(put.key);
    const request = put.lease === undefined
      ? { key, value: put.value, ignore_lease: true, prev_kv: true }
      : { key, value: put.value, lease: put.lease, prev_kv: true };
    const response = await this.call(operation, (options) => this.client.kv.txn({
      compare: put.compare.map((compare) => ({ ...compare, key })),
      success: [{ request_put: request }, { request_range: { key } }],
      failure: [{ request_range: { key } }],
    }, options), settings);
    if (!response.succeeded) return { ok: false, current: response.responses[0]?.response_range.kvs[0] };
    const [written, readBack] = response.responses;
    return { ok: true, revision: Number(response.header.revision), kv: readBack!.response_range.kvs[0]!, previous: written!.response_put.prev_kv ?? undefined };
  }

  /** Deletes one key: what it held and the revision of the delete, or undefined when absent. */
  async delete(operation: string, key: string, settings: CallSettings = {}): Promise<{ revision: number; previous: IKeyValue } | undefined> {
    const response = await this.call(operation, (options) => this.client.kv.deleteRange({ key: Buffer.from(key), prev_kv: true }, options), settings);
    const previous = response.prev_kvs[0];
    return previous ? { revision: Number(response.header.revision), previous } : undefined;
  }

  /** One heartbeat of a lease by id: its TTL in seconds, 0 when the lease is gone. */
  keepAlive(operation: string, leaseId: string, settings: CallSettings = {}): Promise<number> {
    return this.call(operation, ({ deadline }) => this.keepAlives.renewOnce(leaseId, deadline as Date), { ...settings, patient: true });
  }

  /** Grants a lease; etcd raises TTLs below its minimum (2 s with default timings). */
  async grant(operation: string, ttlSeconds: number, settings: CallSettings = {}): Promise<string> {
    const granted = await this.call(operation, (options) => this.client.leaseClient.leaseGrant({ TTL: ttlSeconds }, options), settings);
    return String(granted.ID);
  }

  /** Revokes a lease without waiting: it only held keys that are gone; failing that, it expires. */
  revokeLater(leaseId: string | undefined): void {
    if (leaseId === undefined || leaseId === '0' || this.closed) return;
    this.call('lease revoke', (options) => this.client.leaseClient.leaseRevoke({ ID: leaseId }, options)).catch((error: unknown) => {
      this.logger.debug({ err: error, lease: leaseId }, 'revoking an unused lease failed; it will expire');
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.keepAlives.close();
    this.client.close();
  }
}
