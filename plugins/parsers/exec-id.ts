/**
 * Linkis exec IDs (spec/linkis.md §3). Current format:
 *
 *   exec_id + pad3(len app) + pad3(len instances) + app + instances + shortExecID
 *   exec_id 018             014                    linkis-cg-entrance localhost:9205 IDE_peacewong_shell_0
 *
 * `instances` is joined with `_`; the gateway routes to the first. Decoding is faithful to
 * Linkis, so the inconsistent example of the service-isolation doc
 * (`exec_id018030linkis-cg-entrancelocalhost:9205IDE_peacewong_shell_0`) decodes to instance
 * `localhost:9205IDE` and short id `ell_0`, exactly as Linkis does.
 * The legacy format (no `exec_id` marker) is `dd dd dd creator app instance short`.
 */
import { GatewayError } from '../../core/errors.js';

export interface DecodedExecId {
  readonly application: string;
  /** The first instance: where the gateway routes. */
  readonly instance: string;
  readonly instances: readonly string[];
  readonly shortId: string;
  readonly creator?: string;
}

const MARKER = 'exec_id';

function pad(value: number, width: number): string {
  const text = String(value);
  if (text.length > width) throw new RangeError(`length ${value} does not fit ${width} digits`);
  return text.padStart(width, '0');
}

export function encodeExecId(application: string, instance: string, shortId: string): string {
  return `${MARKER}${pad(application.length, 3)}${pad(instance.length, 3)}${application}${instance}${shortId}`;
}

function fail(execId: string, reason: string): never {
  throw new GatewayError('LG_ERR_PARSE_BAD_EXEC_ID', { execId: execId.slice(0, 200), reason });
}

function readLength(execId: string, text: string, at: number, width: number): number {
  const digits = text.slice(at, at + width);
  if (digits.length !== width || !/^\d+$/.test(digits)) fail(execId, `expected ${width} digits at offset ${at}`);
  return Number(digits);
}

function decodeCurrent(execId: string): DecodedExecId {
  const body = execId.slice(MARKER.length);
  const appLength = readLength(execId, body, 0, 3);
  const instanceLength = readLength(execId, body, 3, 3);
  const appStart = 6;
  const instanceStart = appStart + appLength;
  const shortStart = instanceStart + instanceLength;
  if (shortStart > body.length) fail(execId, 'the lengths run past the end of the id');
  const instances = body.slice(instanceStart, shortStart).split('_');
  return {
    application: body.slice(appStart, instanceStart),
    instance: instances[0]!,
    instances,
    shortId: body.slice(shortStart),
  };
}

function decodeLegacy(execId: string): DecodedExecId {
  const creatorLength = readLength(execId, execId, 0, 2);
  const appLength = readLength(execId, execId, 2, 2);
  const instanceLength = readLength(execId, execId, 4, 2);
  const creatorStart = 6;
  const appStart = creatorStart + creatorLength;
  const instanceStart = appStart + appLength;
  const shortStart = instanceStart + instanceLength;
  if (shortStart > execId.length) fail(execId, 'the lengths run past the end of the id');
  const instance = execId.slice(instanceStart, shortStart);
  return {
    creator: execId.slice(creatorStart, appStart),
    application: execId.slice(appStart, instanceStart),
    instance,
    instances: [instance],
    shortId: execId.slice(shortStart),
  };
}

/** Throws LG_ERR_PARSE_BAD_EXEC_ID when the id cannot be decoded (e.g. a numeric task id). */
export function decodeExecId(execId: string): DecodedExecId {
  const decoded = execId.startsWith(MARKER) ? decodeCurrent(execId) : decodeLegacy(execId);
  if (decoded.application === '') fail(execId, 'the application is empty');
  return decoded;
}
