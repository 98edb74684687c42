/**
 * Heartbeats as lease keep-alives on one long-lived `LeaseKeepAlive` stream (spec
 * eureka-and-etcd.md §7.2): any gateway can renew any instance's lease by its id, which etcd3's
 * high-level `client.lease()` cannot (it only renews leases it granted), and a keep-alive writes
 * nothing, so heartbeats create no revisions and no watch events.
 *
 *   renewOnce(A) ─► stream.write({ID: A}) ─┐
 *   renewOnce(B) ─► stream.write({ID: B}) ─┼─► etcd ─► replies {ID, TTL} matched by ID ─► waiters
 *   renewOnce(A) ─► stream.write({ID: A}) ─┘             (TTL 0: the lease is gone)
 *
 * One attempt per call: a stream that errors or does not answer before the deadline is dropped
 * (it may be stuck on a dead member) and the caller's retry opens a new one on another host.
 */
import type { Etcd3, IDuplexStream, ILeaseKeepAliveRequest, ILeaseKeepAliveResponse } from 'etcd3';

type Stream = IDuplexStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse>;

interface Waiter {
  resolve(ttlSeconds: number): void;
  reject(error: Error): void;
}

export class KeepAliveStream {
  private stream: Promise<Stream> | undefined;
  private readonly waiting = new Map<string, Set<Waiter>>();
  private closed = false;

  constructor(private readonly client: Etcd3) {}

  /** Renews `leaseId` once: its TTL in seconds, 0 when the lease has expired or never existed. */
  async renewOnce(leaseId: string, deadline: Date): Promise<number> {
    if (this.closed) throw new Error('the etcd connection is closed');
    const stream = await this.open();
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        settle();
        this.drop(new Error(`no keep-alive answer for lease ${leaseId} before the deadline`));
        reject(new Error(`no keep-alive answer for lease ${leaseId} before the deadline`));
      }, Math.max(0, deadline.getTime() - Date.now()));
      const waiter: Waiter = {
        resolve: (ttl) => { settle(); resolve(ttl); },
        reject: (error) => { settle(); reject(error); },
      };
      const settle = () => {
        clearTimeout(timer);
        this.waiting.get(leaseId)?.delete(waiter);
      };
      let waiters = this.waiting.get(leaseId);
      if (!waiters) this.waiting.set(leaseId, (waiters = new Set()));
      waiters.add(waiter);
      stream.write({ ID: leaseId });
    });
  }

  close(): void {
    this.closed = true;
    this.drop(new Error('the etcd connection is closed'));
  }

  private open(): Promise<Stream> {
    if (this.stream) return this.stream;
    const opening = this.client.leaseClient.leaseKeepAlive().then((stream) => {
      stream.on('data', (reply) => {
        const waiters = this.waiting.get(String(reply.ID));
        if (!waiters) return;
        this.waiting.delete(String(reply.ID));
        // Every waiter of this id asked before this reply, or at the same time: the lease is as alive as it says.
        for (const waiter of waiters) waiter.resolve(Number(reply.TTL));
      });
      stream.on('error', (error) => {
        if (this.stream === opening) this.drop(error);
      });
      stream.on('end', () => {
        if (this.stream === opening) this.drop(new Error('the keep-alive stream ended'));
      });
      return stream;
    });
    this.stream = opening;
    opening.catch(() => {
      if (this.stream === opening) this.stream = undefined;
    });
    return opening;
  }

  /** Forgets the stream (cancelling it) and fails everyone waiting on it. */
  private drop(error: Error): void {
    const stream = this.stream;
    this.stream = undefined;
    void stream?.then((open) => open.cancel(), () => undefined);
    const waiters = [...this.waiting.values()].flatMap((set) => [...set]);
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}
