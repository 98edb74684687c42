/**
 * This gateway's entry under `<prefix>members/<id>`: where it listens (`addr`, and `hostPort` as
 * the gateway heartbeat lists it to clients) and which pushed config it runs (`configRevision`) or refused (`configError`), so `labelgate config push` and operators
 * can see every gateway's answer. The key lives under the gateway's own lease (TTL 10 s, renewed
 * every 3 s), so a gateway that dies drops out by itself; a lease lost while etcd was unreachable
 * is granted again and the entry rewritten.
 */
import os from 'node:os';
import type { Logger } from '../contracts.js';
import { selfHostPort } from '../gateway-heartbeat.js';
import type { EtcdConnection } from './connection.js';

export const MEMBER_TTL_SECONDS = 10;
const RENEW_EVERY_MS = 3000;
const RETRY_MS = 1000;

export interface ConfigErrorReport {
  /** Revision of the pushed document that was refused. */
  readonly revision: number;
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly line: number | null;
  readonly column: number | null;
  /** The readable report (core/config-report.ts), as `labelgate check` would print it. */
  readonly report?: string;
}

export interface MemberReport {
  readonly id: string;
  readonly addr: string;
  /** `host:port` clients reach the public listener at (a wildcard listener gives the host name). */
  readonly hostPort: string;
  readonly admin: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
  /** mod_revision of `<prefix>config/gateway.yaml` in force; 0 when none was pushed. */
  readonly configRevision: number;
  readonly configError: ConfigErrorReport | null;
}

/** The member id: this host and the port of the public listener (unique per gateway on a machine). */
export function memberId(gatewayUrl: string): string {
  return `${os.hostname()}:${new URL(gatewayUrl).port}`;
}

export class MemberKey {
  private report: MemberReport;
  private lease: string | undefined;
  private writing = false;
  private dirty = false;
  private readonly renewer: NodeJS.Timeout;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly etcd: EtcdConnection, addresses: { gateway: string; admin: string }, private readonly logger: Logger) {
    this.report = {
      id: memberId(addresses.gateway), addr: addresses.gateway, hostPort: selfHostPort(addresses.gateway), admin: addresses.admin, host: os.hostname(), pid: process.pid,
      startedAt: new Date().toISOString(), configRevision: 0, configError: null,
    };
    this.renewer = setInterval(() => void this.renew(), RENEW_EVERY_MS);
    this.renewer.unref();
    void this.write();
  }

  get id(): string {
    return this.report.id;
  }

  update(change: Partial<Pick<MemberReport, 'configRevision' | 'configError'>>): void {
    this.report = { ...this.report, ...change };
    void this.write();
  }

  /** Removes the entry (revoking its lease) on a clean shutdown. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.renewer);
    clearTimeout(this.retry);
    if (this.lease === undefined) return;
    await this.etcd.call('member leave', (options) => this.etcd.client.leaseClient.leaseRevoke({ ID: this.lease! }, options), { code: 'LG_ERR_ETCD_UNAVAILABLE' })
      .catch((error: unknown) => this.logger.debug({ err: error }, 'could not remove the member entry; it expires with its lease'));
  }

  private async renew(): Promise<void> {
    if (this.lease === undefined || this.writing) return;
    try {
      const ttl = await this.etcd.keepAlive('member keep-alive', this.lease, { code: 'LG_ERR_ETCD_UNAVAILABLE' });
      if (ttl > 0) return;
      this.logger.warn({ member: this.report.id }, 'the member lease expired (etcd was unreachable); registering again');
      this.lease = undefined;
      await this.write();
    } catch {
      // etcd unreachable: the next tick tries again; the lease outlives a few missed renewals.
    }
  }

  /** Writes the current report; one write at a time, the last state wins. */
  private async write(): Promise<void> {
    if (this.closed) return;
    if (this.writing) {
      this.dirty = true;
      return;
    }
    this.writing = true;
    try {
      do {
        this.dirty = false;
        this.lease ??= await this.etcd.grant('member lease', MEMBER_TTL_SECONDS, { code: 'LG_ERR_ETCD_UNAVAILABLE' });
        const written = await this.etcd.putIf('member write', {
          key: this.etcd.keys.member(this.report.id), value: Buffer.from(JSON.stringify(this.report)), compare: [], lease: this.lease,
        }, { code: 'LG_ERR_ETCD_UNAVAILABLE' });
        if (!written.ok) throw new Error('the member entry was not written');
      } while (this.dirty && !this.closed);
    } catch (error) {
      this.logger.warn({ err: error, member: this.report.id }, 'writing the member entry to etcd failed; retrying');
      // A lease that etcd no longer knows fails every put: start over with a new one.
      this.lease = undefined;
      clearTimeout(this.retry);
      this.retry = setTimeout(() => void this.write(), RETRY_MS);
      this.retry.unref();
    } finally {
      this.writing = false;
    }
  }
}
