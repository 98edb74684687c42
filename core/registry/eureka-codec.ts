/**
 * Registration bodies → the normalised record (spec eureka-and-etcd.md §3.1). Accepts what real
 * clients send (a bare port number, `$` as a string, `@enabled` as a boolean, no `@class`, no
 * instanceId, Steeltoe's string timestamps, the legacy `overriddenstatus` spelling, Eureka's
 * `{"@class": "java.util.Collections$EmptyMap"}` metadata) and refuses, with the field named,
 * what no instance could be routed with. Nothing is stored for a refused body.
 */
import { GatewayError } from '../errors.js';
import { isStatus, type DataCenterInfo, type EurekaRecord, type LeaseInfo, type PortInfo } from './eureka-record.js';
import type { InstanceStatus } from './snapshot.js';

export const DEFAULT_DATA_CENTER_CLASS = 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo';
const AMAZON_DATA_CENTER_CLASS = 'com.netflix.appinfo.AmazonInfo';
const DEFAULT_RENEWAL_INTERVAL = 30;
/** Characters that would turn a host name into another URL (path, query, credentials) or a header. */
const BAD_HOST = /[\s/?#@\\]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

type Json = Record<string, unknown>;

function bad(reason: string): never {
  throw new GatewayError('LG_ERR_EUREKA_BAD_REGISTRATION', { reason });
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requiredString(source: Json, field: string, label = field): string {
  const value = source[field];
  if (typeof value !== 'string' || value.trim() === '') bad(`${label} is required`);
  if (CONTROL.test(value)) bad(`${label} contains control characters`);
  return value;
}

function optionalString(source: Json, field: string): string | undefined {
  const value = source[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') bad(`${field} must be a string`);
  return value;
}

/** Integers that arrive as numbers or numeric strings (Steeltoe, hand-written clients). */
function integer(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) bad(`${field} must be an integer`);
  return number;
}

function status(value: unknown, field: string, fallback: InstanceStatus): InstanceStatus {
  if (value === undefined || value === null) return fallback;
  if (!isStatus(value)) bad(`${field} "${String(value)}" is not UP, DOWN, STARTING, OUT_OF_SERVICE or UNKNOWN`);
  return value;
}

function enabledFlag(value: unknown, field: string, fallback: boolean): 'true' | 'false' {
  if (value === undefined || value === null) return fallback ? 'true' : 'false';
  if (value === true || value === 'true') return 'true';
  if (value === false || value === 'false') return 'false';
  return bad(`${field}.@enabled must be true or false`);
}

export function parsePort(value: unknown, field: string, fallback: PortInfo | undefined): PortInfo {
  if (value === undefined || value === null) {
    if (fallback) return fallback;
    return bad(`${field} is required`);
  }
  const wrapped = isObject(value);
  const number = integer(wrapped ? value.$ : value, `${field}.$`);
  if (number === undefined || number < 1 || number > 65535) bad(`${field} must be a port number from 1 to 65535`);
  return { $: number, '@enabled': enabledFlag(wrapped ? value['@enabled'] : undefined, field, true) };
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) bad(`${field} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key === '@class') continue; // Eureka's marker for an empty Java map, not metadata.
    if (typeof entry === 'string') out[key] = entry;
    else if (typeof entry === 'number' || typeof entry === 'boolean') out[key] = String(entry);
    else bad(`${field}.${key} must be a string`);
  }
  return out;
}

function dataCenter(value: unknown): DataCenterInfo {
  if (!isObject(value)) bad('dataCenterInfo is required');
  const name = requiredString(value, 'name', 'dataCenterInfo.name');
  const declared = optionalString(value, '@class');
  const metadata = value.metadata === undefined ? undefined : stringMap(value.metadata, 'dataCenterInfo.metadata');
  const fallbackClass = name.toLowerCase() === 'amazon' ? AMAZON_DATA_CENTER_CLASS : DEFAULT_DATA_CENTER_CLASS;
  return { '@class': declared ?? fallbackClass, name, ...(metadata ? { metadata } : {}) };
}

function lease(value: unknown, defaultDuration: number, now: number): LeaseInfo {
  const source = isObject(value) ? value : {};
  const positive = (field: string, fallback: number) => {
    const number = integer(source[field], `leaseInfo.${field}`);
    return number === undefined || number <= 0 ? fallback : number;
  };
  return {
    renewalIntervalInSecs: positive('renewalIntervalInSecs', DEFAULT_RENEWAL_INTERVAL),
    durationInSecs: positive('durationInSecs', defaultDuration),
    registrationTimestamp: now,
    lastRenewalTimestamp: now,
    evictionTimestamp: 0,
    serviceUpTimestamp: now,
  };
}

function timestamp(value: unknown, field: string, now: number): string {
  const number = integer(value, field);
  return String(number === undefined || number <= 0 ? now : number);
}

export interface RegistrationDefaults {
  /** Lease length when the client sends none (`registry.eureka.leaseSeconds`). */
  readonly leaseSeconds: number;
}

/** The instance of a `POST /apps/APP` body, or LG_ERR_EUREKA_BAD_REGISTRATION naming the field. */
export function parseRegistration(body: unknown, pathApp: string, defaults: RegistrationDefaults, now: number): EurekaRecord {
  if (!isObject(body) || !isObject(body.instance)) bad('the body must be {"instance": {…}}');
  const source = body.instance;
  const app = requiredString(source, 'app').toUpperCase();
  if (app !== pathApp.toUpperCase()) bad(`app "${source.app as string}" differs from "${pathApp}" in the path`);
  const hostName = requiredString(source, 'hostName');
  if (BAD_HOST.test(hostName)) bad('hostName is not a host name');
  const ipAddr = requiredString(source, 'ipAddr');
  const dataCenterInfo = dataCenter(source.dataCenterInfo);
  const declaredId = optionalString(source, 'instanceId');
  const instanceId = declaredId && declaredId !== '' ? declaredId : dataCenterInfo.metadata?.['instance-id'] ?? hostName;
  if (CONTROL.test(instanceId)) bad('instanceId contains control characters');
  const sid = optionalString(source, 'sid');
  const optional = (field: string) => {
    const value = optionalString(source, field);
    return value === undefined ? {} : { [field]: value };
  };
  const coordinating = source.isCoordinatingDiscoveryServer === true || source.isCoordinatingDiscoveryServer === 'true';
  return {
    instanceId,
    hostName,
    app,
    ipAddr,
    ...(sid !== undefined && sid !== 'na' ? { sid } : {}),
    status: status(source.status, 'status', 'UP'),
    overriddenStatus: status(source.overriddenStatus ?? source.overriddenstatus, 'overriddenStatus', 'UNKNOWN'),
    port: parsePort(source.port, 'port', undefined),
    securePort: parsePort(source.securePort, 'securePort', { $: 443, '@enabled': 'false' }),
    countryId: integer(source.countryId, 'countryId') ?? 1,
    dataCenterInfo,
    leaseInfo: lease(source.leaseInfo, defaults.leaseSeconds, now),
    metadata: stringMap(source.metadata, 'metadata'),
    ...optional('homePageUrl'),
    ...optional('statusPageUrl'),
    ...optional('healthCheckUrl'),
    ...optional('secureHealthCheckUrl'),
    ...optional('vipAddress'),
    ...optional('secureVipAddress'),
    isCoordinatingDiscoveryServer: coordinating ? 'true' : 'false',
    lastUpdatedTimestamp: String(now),
    lastDirtyTimestamp: timestamp(source.lastDirtyTimestamp, 'lastDirtyTimestamp', now),
    ...optional('appGroupName'),
    ...optional('asgName'),
  };
}
