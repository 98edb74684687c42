/** Path shapes shared by the Linkis parsers (spec/linkis.md §2). */
import { GatewayError } from '../../core/errors.js';

/** `/api/rest_<type>/<version>/`; capture 1 is the version. */
export const REST_PREFIX = '/api/rest_[a-zA-Z][a-zA-Z_0-9]*/(v\\d+)/';

export const versionOption = { type: 'string', pattern: '^v\\d+$', default: 'v1' } as const;

/** Linkis answers a wrong version with "The gatewayv1 not support version v2." */
export function checkVersion(version: string | undefined, expected: string): void {
  if (version !== expected) throw new GatewayError('LG_ERR_PARSE_UNSUPPORTED_VERSION', { expected, version: version ?? '' });
}
