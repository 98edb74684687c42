/**
 * One registered instance, stored exactly in the JSON form the Eureka API serves (spec
 * eureka-and-etcd.md §3.1), so a store can keep it as one value (an etcd key's JSON) and the
 * API can answer without converting. Field order follows Eureka's own codec.
 */
import type { InstanceStatus } from './snapshot.js';

export const STATUSES: readonly InstanceStatus[] = ['UP', 'DOWN', 'STARTING', 'OUT_OF_SERVICE', 'UNKNOWN'];

export function isStatus(value: unknown): value is InstanceStatus {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

export interface PortInfo {
  readonly $: number;
  readonly '@enabled': 'true' | 'false';
}

export interface DataCenterInfo {
  readonly '@class': string;
  readonly name: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface LeaseInfo {
  readonly renewalIntervalInSecs: number;
  /** The lease length the server honours (expiry = last renewal + this, not Eureka's 2×). */
  readonly durationInSecs: number;
  readonly registrationTimestamp: number;
  readonly lastRenewalTimestamp: number;
  readonly evictionTimestamp: number;
  readonly serviceUpTimestamp: number;
}

export interface EurekaRecord {
  readonly instanceId: string;
  readonly hostName: string;
  /** Upper-cased, as Eureka stores and emits it. */
  readonly app: string;
  readonly ipAddr: string;
  readonly sid?: string;
  readonly status: InstanceStatus;
  readonly overriddenStatus: InstanceStatus;
  readonly port: PortInfo;
  readonly securePort: PortInfo;
  readonly countryId: number;
  readonly dataCenterInfo: DataCenterInfo;
  readonly leaseInfo: LeaseInfo;
  readonly metadata: Readonly<Record<string, string>>;
  readonly homePageUrl?: string;
  readonly statusPageUrl?: string;
  readonly healthCheckUrl?: string;
  readonly secureHealthCheckUrl?: string;
  readonly vipAddress?: string;
  readonly secureVipAddress?: string;
  /** Strings on the wire, as Eureka writes them. */
  readonly isCoordinatingDiscoveryServer: 'true' | 'false';
  readonly lastUpdatedTimestamp: string;
  readonly lastDirtyTimestamp: string;
  readonly appGroupName?: string;
  readonly asgName?: string;
}

export type ActionType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Registration metadata key that carries a route label (Linkis `metadata-map.route`). */
export const ROUTE_METADATA_KEY = 'route';
