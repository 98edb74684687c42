/**
 * The gateways a client may use, healthiest first. A client sticks to one gateway while it works
 * (its session lives there); one that cannot be reached is set aside for `cooldownMs` and the
 * next one is used. The list grows with what `/api/rest_j/v1/gateway/heartbeat` reports
 * (spec/linkis.md §1.6 and §9: `data.gatewayList` of `host:port`, prefixed with `http://`).
 */
import { GatewayError } from '../errors.js';

export interface GatewayState {
  readonly url: string;
  /** Epoch ms until which it is not tried (0: healthy). */
  readonly unhealthyUntil: number;
}

/** `http://h:p/` and `h:p` → `http://h:p` (origin only: the API paths are fixed). */
export function normaliseGatewayUrl(text: string): string {
  const trimmed = text.trim();
  const url = new URL(/^https?:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`);
  return url.origin;
}

export class GatewayList {
  private readonly states = new Map<string, { unhealthyUntil: number }>();
  private current: string | undefined;

  constructor(urls: readonly string[], private readonly cooldownMs: number, private readonly now: () => number = Date.now) {
    for (const url of urls.flatMap((entry) => entry.split(',')).filter((entry) => entry.trim() !== '')) this.add(url);
    if (this.states.size === 0) throw new GatewayError('LG_ERR_CLIENT_CONFIG', { reason: 'at least one gateway URL is required' });
  }

  /** Adds a gateway (from config or discovery); returns its normalised URL. */
  add(text: string): string {
    const url = normaliseGatewayUrl(text);
    if (!this.states.has(url)) this.states.set(url, { unhealthyUntil: 0 });
    return url;
  }

  /** The order to try gateways in: the current one, the other healthy ones, then the set-aside ones. */
  candidates(): string[] {
    const now = this.now();
    const all = [...this.states.keys()];
    const healthy = all.filter((url) => this.states.get(url)!.unhealthyUntil <= now);
    const resting = all.filter((url) => this.states.get(url)!.unhealthyUntil > now).sort((a, b) => this.states.get(a)!.unhealthyUntil - this.states.get(b)!.unhealthyUntil);
    if (this.current && healthy.includes(this.current)) healthy.unshift(...healthy.splice(healthy.indexOf(this.current), 1));
    return [...healthy, ...resting];
  }

  succeeded(url: string): void {
    this.states.get(url)!.unhealthyUntil = 0;
    this.current = url;
  }

  failed(url: string): void {
    this.states.get(url)!.unhealthyUntil = this.now() + this.cooldownMs;
    if (this.current === url) this.current = undefined;
  }

  list(): GatewayState[] {
    return [...this.states].map(([url, state]) => ({ url, unhealthyUntil: state.unhealthyUntil }));
  }
}
