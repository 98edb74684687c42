/**
 * JSON pointers (RFC 6901), which name a place in a config file or in a request body. Kept free
 * of imports so that body workers can use it without loading ajv.
 */

/** One reference token: `~` and `/` escaped. */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
