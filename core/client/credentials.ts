/**
 * How the client authenticates (spec/linkis.md §9): a password login per gateway, whose session
 * cookie is kept per gateway (sessions may not be shared between gateways), or a token sent as
 * `Token-User` / `Token-Code` headers on every request (nothing to log in to).
 */
export interface PasswordAuth {
  readonly user: string;
  readonly password: string;
}

export interface TokenAuth {
  readonly tokenUser: string;
  readonly tokenCode: string;
}

export type ClientAuth = PasswordAuth | TokenAuth;

export function isPasswordAuth(auth: ClientAuth): auth is PasswordAuth {
  return 'password' in auth;
}

/** The user the client acts for. */
export function userOf(auth: ClientAuth): string {
  return isPasswordAuth(auth) ? auth.user : auth.tokenUser;
}

/** Cookies a gateway set, by name; `Set-Cookie` with Max-Age=0 or an empty value removes one. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  absorb(setCookie: string | string[] | undefined): void {
    const headers = Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie];
    for (const header of headers) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = value === '' || attributes.some((attribute) => /^\s*max-age\s*=\s*0\s*$/i.test(attribute));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  clear(): void {
    this.cookies.clear();
  }

  get empty(): boolean {
    return this.cookies.size === 0;
  }
}
