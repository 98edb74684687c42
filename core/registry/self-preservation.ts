/**
 * Eureka's self-preservation (spec eureka-and-etcd.md §6), behind a flag that is off by default:
 * when far fewer heartbeats arrive than expected, the likelier story is a network partition
 * between clients and registry, not a mass death, so leases stop expiring until renewals recover.
 *
 *   expected renewals per window = expected clients × (window / expected renew interval)
 *   threshold                    = floor(expected × renewalPercentThreshold)
 *   expiry allowed               ⇔ threshold > 0 and renewals in the last window > threshold
 *
 * Expected clients count +1 per new registration and −1 per cancel; expiries leave it alone, as
 * in Eureka, so a partition that looks like deaths does not lower the bar.
 */

export interface SelfPreservationOptions {
  readonly renewalPercentThreshold: number;
  readonly windowMs: number;
  readonly expectedRenewIntervalMs: number;
}

export class RenewalMeter {
  private expectedClients = 0;
  /** Renewal times inside the window, oldest first. */
  private readonly renewals: number[] = [];
  private head = 0;

  constructor(private readonly options: SelfPreservationOptions) {}

  registered(): void {
    this.expectedClients++;
  }

  cancelled(): void {
    if (this.expectedClients > 0) this.expectedClients--;
  }

  renewed(now: number): void {
    this.renewals.push(now);
    this.prune(now);
  }

  threshold(): number {
    const perWindow = this.expectedClients * (this.options.windowMs / this.options.expectedRenewIntervalMs);
    return Math.floor(perWindow * this.options.renewalPercentThreshold);
  }

  renewalsInWindow(now: number): number {
    this.prune(now);
    return this.renewals.length - this.head;
  }

  allowsExpiry(now: number): boolean {
    const threshold = this.threshold();
    return threshold > 0 && this.renewalsInWindow(now) > threshold;
  }

  private prune(now: number): void {
    const oldest = now - this.options.windowMs;
    while (this.head < this.renewals.length && this.renewals[this.head]! <= oldest) this.head++;
    // Compact once the dead prefix dominates, so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.renewals.length) {
      this.renewals.splice(0, this.head);
      this.head = 0;
    }
  }
}
