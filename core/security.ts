/**
 * The security step of the flow (design §1 step 2), compiled once per config version:
 *
 *   CORS headers ─► IP allow list ─► preflight answered ─► referer ─► [local user endpoints]
 *   ─► pass-through list ─► auth strategies in order (core/auth-chain.ts) ─► principal, or 401
 *
 * Everything before the strategies looks at no credential, so a deny-listed client never reaches
 * an auth store or a login counter (S27). The client IP is the socket peer unless that peer is a
 * trusted proxy (S4, S5). What the upstream learns about the principal is decided here too
 * (core/upstream-identity.ts).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInstance, AuthRequest, Logger, Principal } from './contracts.js';
import { AuthChain, isThenable, type MaybePromise } from './auth-chain.js';
import { AddressSet, resolveClient, type ClientAddress } from './client-address.js';
import type { GatewayConfig } from './config-types.js';
import { CorsPolicy } from './cors.js';
import { GatewayError } from './errors.js';
import type { LoadedPlugin } from './plugin-loader.js';
import { RefererPolicy } from './referer.js';
import type { Sessions } from './session/sessions.js';
import { tokenCredentials } from './token-credentials.js';
import { applyUpstreamIdentity } from './upstream-identity.js';

/** Pass-through entries match from the start of the normalised path, whatever the author wrote. */
export function anchoredRegex(source: string): RegExp {
  return new RegExp(source.startsWith('^') ? source : `^(?:${source})`);
}

/** The parts of a request the screening step reads: an HTTP request, a handshake, a frame or an explain question. */
export interface ScreenedRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** Undefined when not known (an `explain` without a client address): the allow list is then not checked. */
  readonly clientIp: string | undefined;
  /** HTTP requests only: CORS headers are set on `res` and preflights answered there. */
  readonly cors?: { readonly req: IncomingMessage; readonly res: ServerResponse };
}

const viaSession = (principal: Principal | undefined): Principal | undefined => principal && { ...principal, via: 'session' };

export class SecurityPolicy {
  readonly trustedProxies: AddressSet;
  readonly ipAllowList: AddressSet;
  readonly passThrough: readonly RegExp[];
  readonly cors: CorsPolicy;
  readonly referer: RefererPolicy | undefined;
  readonly chain: AuthChain;
  private readonly sessions: Sessions | undefined;
  private warnedUntrustedForwarding = false;

  constructor(
    private readonly config: GatewayConfig,
    readonly auth: readonly LoadedPlugin<AuthInstance>[],
    private readonly logger: Logger,
    services: Readonly<Record<string, unknown>> = {},
  ) {
    this.trustedProxies = new AddressSet(config.server.trustedProxies);
    this.ipAllowList = new AddressSet(config.security.ipAllowList);
    this.passThrough = config.security.passThrough.map(anchoredRegex);
    this.cors = new CorsPolicy(config.security.cors);
    this.referer = config.security.referer.enabled ? new RefererPolicy(config.security.referer.allow) : undefined;
    this.chain = new AuthChain(auth, config.security.authTimeout, logger);
    this.sessions = services.sessions as Sessions | undefined;
  }

  /** The client address; forwarding headers from a peer that is not a trusted proxy are ignored (S5). */
  clientAddress(req: IncomingMessage): ClientAddress {
    const client = resolveClient(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.trustedProxies);
    if (!client.viaTrustedProxy && !this.warnedUntrustedForwarding && (req.headers['x-forwarded-for'] !== undefined || req.headers['x-real-ip'] !== undefined)) {
      this.warnedUntrustedForwarding = true;
      this.logger.warn({ peer: client.ip }, 'X-Forwarded-For/X-Real-IP ignored: the peer is not in server.trustedProxies (warned once per config version)');
    }
    return client;
  }

  /**
   * Everything that needs no credential: CORS, the IP allow list, preflights, the referer check.
   * Returns true when the request has been answered (a preflight); throws a GatewayError to refuse.
   */
  screen(request: ScreenedRequest): boolean {
    const { cors } = request;
    if (cors) this.cors.decorate(cors.req, cors.res);
    if (request.clientIp !== undefined) this.checkClientIp(request.clientIp);
    if (cors && this.cors.answerPreflight(cors.req, cors.res)) return true;
    this.referer?.check(request.method, request.headers);
    return false;
  }

  checkClientIp(ip: string): void {
    if (this.ipAllowList.size > 0 && !this.ipAllowList.has(ip)) throw new GatewayError('LG_ERR_IP_NOT_ALLOWED', { ip });
  }

  isPassThrough(path: string): boolean {
    for (const regex of this.passThrough) if (regex.test(path)) return true;
    return false;
  }

  /**
   * On a pass-through route nobody has to log in, but a logged-in user is still named to the
   * upstream (Linkis backends behind `/dss/` read the ticket): a valid session cookie gives the
   * principal, anything else gives none and its ticket is dropped. No strategy is called.
   */
  passThroughPrincipal(request: AuthRequest): MaybePromise<Principal | undefined> {
    const sessions = this.sessions;
    if (!sessions || !this.chain.hasSession) return undefined;
    const ticket = request.cookies[sessions.cookieName];
    if (!ticket) return undefined;
    const principal = sessions.verify(ticket);
    return isThenable(principal) ? principal.then(viaSession) : viaSession(principal);
  }

  /** The principal for the credentials the request carries (optionally of one scheme), else a 401. */
  authenticate(request: AuthRequest, scheme?: string): MaybePromise<Principal> {
    const principal = this.chain.authenticate(request, scheme);
    return isThenable(principal) ? principal.then((settled) => settled ?? this.refuse(request)) : principal ?? this.refuse(request);
  }

  private refuse(request: AuthRequest): never {
    throw this.unauthenticated(request);
  }

  private unauthenticated(request: AuthRequest): GatewayError {
    if (!this.chain.hasScheme('token') && tokenCredentials(request.headers, request.cookies)) return new GatewayError('LG_ERR_TOKEN_DISABLED');
    const ssoUrl = this.chain.redirectTo(request.requestUrl);
    // Linkis's SSO answer: the client is told where to sign in.
    return new GatewayError('LG_ERR_AUTH_REQUIRED', {}, ssoUrl === undefined ? {} : { data: { enableSSO: true, SSOURL: ssoUrl } });
  }

  /** Sets X-Linkis-User and the ticket cookies on headers bound upstream (core/upstream-identity.ts). */
  identifyUpstream(headers: Record<string, string | string[]>, principal: Principal | undefined): void {
    const sessions = this.sessions;
    applyUpstreamIdentity(headers, principal, this.config.security.session.cookie, sessions && ((user) => sessions.upstreamTicket(user)));
  }
}
