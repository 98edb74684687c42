/**
 * What an operator may write as instance labels. Keys are Linkis's user-modifiable label keys
 * (spec linkis.md §7.2, including its `engingeConnRuntimeMode` spelling); values are
 * `[A-Za-z0-9_.]`, at most 128 characters (Linkis's `label_value` column). Linkis only forbids
 * `-` in route values; labelgate refuses anything that could be mistaken for a separator or
 * smuggle markup into the dashboard and logs.
 */
import { GatewayError } from '../errors.js';
import { parseHostPort } from './snapshot.js';

export const MODIFIABLE_LABEL_KEYS: readonly string[] = ['route', 'tenant', 'yarnCluster', 'userCreator', 'fixedEngineConn', 'engingeConnRuntimeMode'];

const VALUE = /^[A-Za-z0-9_.]{1,128}$/;
const APPLICATION = /^[A-Za-z0-9_.\-]{1,128}$/;

export function checkLabelValue(key: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new GatewayError('LG_ERR_LABEL_INVALID', { key, value: JSON.stringify(value) ?? 'undefined', reason: 'values are strings' });
  }
  if (!VALUE.test(value)) {
    throw new GatewayError('LG_ERR_LABEL_INVALID', { key, value: value.slice(0, 140), reason: 'use 1 to 128 of the characters A-Z a-z 0-9 _ .' });
  }
  return value;
}

export function checkLabelKey(key: string): string {
  if (!MODIFIABLE_LABEL_KEYS.includes(key)) {
    throw new GatewayError('LG_ERR_LABEL_INVALID', { key: key.slice(0, 64), value: '…', reason: `the key is not one of ${MODIFIABLE_LABEL_KEYS.join(', ')}` });
  }
  return key;
}

/** `{"route": "et1"}` of `PUT /admin/labels/…`: every key known, every value valid. */
export function checkLabelMap(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError('LG_ERR_LABEL_BAD_REQUEST', { reason: 'the body must be a JSON object of labels, e.g. {"route": "et1"}' });
  }
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) labels[checkLabelKey(key)] = checkLabelValue(key, value);
  return labels;
}

export function checkApplication(app: unknown): string {
  if (typeof app !== 'string' || !APPLICATION.test(app)) {
    throw new GatewayError('LG_ERR_LABEL_BAD_REQUEST', { reason: 'the application name must be 1 to 128 of A-Z a-z 0-9 _ . -' });
  }
  return app;
}

export function checkInstanceName(instance: unknown): string {
  if (typeof instance !== 'string' || parseHostPort(instance) === undefined) {
    throw new GatewayError('LG_ERR_LABEL_BAD_REQUEST', { reason: 'the instance must be host:port, e.g. 10.0.0.5:9104' });
  }
  return instance;
}
