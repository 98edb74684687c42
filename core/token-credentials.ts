/**
 * Where Linkis token credentials come from (spec/linkis.md §1.5): the `Token-Code` and
 * `Token-User` headers, or, when either header is blank, the cookies of the same names. A request
 * with only one of the two is not a token request at all.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface TokenCredentials {
  readonly code: string;
  readonly user: string;
}

function single(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

export function tokenCredentials(headers: IncomingHttpHeaders, cookies: Readonly<Record<string, string>>): TokenCredentials | undefined {
  const code = single(headers['token-code']);
  const user = single(headers['token-user']);
  if (code !== '' && user !== '') return { code, user };
  const cookieCode = cookies['Token-Code']?.trim() ?? '';
  const cookieUser = cookies['Token-User']?.trim() ?? '';
  if (cookieCode !== '' && cookieUser !== '') return { code: cookieCode, user: cookieUser };
  return undefined;
}
