/**
 * Upstream pools outlive config versions: a reload that keeps the `upstream` settings keeps the
 * same pools (and their keep-alive connections). Pools are shared by reference count and closed,
 * gracefully, when the last pipeline using them is closed.
 */
import { UpstreamPools, type UpstreamSettings } from './http-forwarder.js';

export class PoolProvider {
  private readonly entries = new Map<string, { pools: UpstreamPools; refs: number }>();

  acquire(settings: UpstreamSettings, resolvePath: (file: string) => string): UpstreamPools {
    const key = JSON.stringify({ ...settings, ca: settings.tls.ca ? resolvePath(settings.tls.ca) : null });
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { pools: new UpstreamPools(settings, resolvePath), refs: 0 };
      this.entries.set(key, entry);
    }
    entry.refs++;
    return entry.pools;
  }

  release(pools: UpstreamPools): void {
    for (const [key, entry] of this.entries) {
      if (entry.pools !== pools) continue;
      if (--entry.refs === 0) {
        this.entries.delete(key);
        void pools.close();
      }
      return;
    }
  }

  async destroyAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((entry) => entry.pools.destroy()));
  }
}
