/**
 * The one decision of the gateway (design §1). An HTTP request, every WebSocket frame, a 1:1
 * tunnel handshake and `labelgate explain` / `/admin/explain` all ask this function what happens
 * to a request; none of them repeats a step of it.
 *
 *   1 normalise the target (a frame's target is its `method`) ─► inside the `within` prefix?
 *   2 screen: IP allow list, referer; CORS headers and preflights on HTTP
 *   3 a local endpoint? (public ones answer before any auth; user/admin ones after it)
 *   4 pass-through list, else the auth strategies in order
 *   5 the parser whose rule matches ─► 6 body facts, checked by the parser's bodySchema
 *   7 parse ─► 8 route to the instances that may serve it
 *        │
 *        └─ any step refuses: the Resolution carries the GatewayError and the stage it came from
 *
 * The Resolution is also the trace: every stage reached leaves its result in it, and `explain`
 * prints exactly that. Nothing here writes to a client, except the CORS headers and preflight
 * answer of step 2, which only HTTP asks for.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthRequest, ParseTarget, Principal, RouteChoice } from '../contracts.js';
import { isThenable, type MaybePromise } from '../auth-chain.js';
import { asGatewayError, GatewayError } from '../errors.js';
import type { LocalEndpoint, LocalEndpoints } from '../local-endpoints.js';
import { LazyParseRequest, type ParserHit } from '../parse-stage.js';
import { normaliseTarget, type RequestTarget } from '../path.js';
import type { Pipeline } from '../pipeline.js';
import type { RegistrySnapshot } from '../registry/snapshot.js';
import type { ScreenedRequest } from '../security.js';

export type Stage = 'normalise' | 'screen' | 'auth' | 'parse' | 'body' | 'route';

/** `A` is the caller's own credentials type, handed back in `Resolution.auth` without a cast. */
export interface ResolveInput<A extends AuthRequest = AuthRequest> {
  /** Upper case. A frame is a POST; a tunnel handshake a GET. */
  readonly method: string;
  /** The target as the client sent it: an HTTP request target, a frame's `method`. */
  readonly rawTarget: string;
  readonly headers: IncomingHttpHeaders;
  /** The screen's view of the request (client IP, referer; CORS on HTTP). */
  readonly screen: Omit<ScreenedRequest, 'method' | 'headers'>;
  /** Paths outside this prefix are refused (404) before anything else: the WebSocket prefix. */
  readonly within?: string;
  /** Endpoints the gateway answers itself; absent where none can be reached (handshakes). */
  readonly localEndpoints?: LocalEndpoints;
  /** The request as auth strategies see it, built once its normalised target is known. */
  credentials(target: RequestTarget): A;
  /** Reads the body when the parser asks for it (setting `request.body`); the bytes to forward. */
  readBody(request: LazyParseRequest, hit: ParserHit): MaybePromise<Buffer | undefined>;
  /** The registry as it is when routing (read late: a body may have taken a while). */
  snapshot(): RegistrySnapshot;
  /**
   * `enforce` (requests, frames): a refused login ends the resolution. `report` (explain): the
   * refusal is recorded in `authError` and the resolution goes on, to show where the request
   * would go once logged in.
   */
  readonly auth: 'enforce' | 'report';
  /** True: stop once the caller is admitted (a multiplexed handshake: its frames are resolved one by one). */
  admitOnly?(target: RequestTarget): boolean;
}

/** What was decided, stage by stage; `error` set means refused at `stage`. */
export interface Resolution<A extends AuthRequest = AuthRequest> {
  target?: RequestTarget;
  /** A CORS preflight, answered on the response by the screen. */
  answered?: true;
  endpoint?: LocalEndpoint;
  passThrough?: boolean;
  principal?: Principal;
  /** The request's credentials (for the endpoint or the forwarder), once built. */
  auth?: A;
  /** `report` mode: the refusal a real request would have met at the auth stage. */
  authError?: GatewayError;
  hit?: ParserHit;
  request?: LazyParseRequest;
  body?: Buffer;
  parsed?: ParseTarget;
  choice?: RouteChoice;
  stage?: Stage;
  error?: GatewayError;
  /** The original of an `error` that was not a GatewayError (a bug or a plugin's throw), to be logged. */
  unexpected?: unknown;
}

/** Resolves `input` on `pipeline`; never throws: a refusal is a Resolution with `error`. */
export async function resolve<A extends AuthRequest>(pipeline: Pipeline, input: ResolveInput<A>): Promise<Resolution<A>> {
  const resolution: Resolution<A> = {};
  let stage: Stage = 'normalise';
  try {
    const target = normaliseTarget(input.rawTarget);
    resolution.target = target;
    if (input.within !== undefined && !target.path.startsWith(input.within)) throw new GatewayError('LG_ERR_WS_NOT_FOUND', { path: target.path });

    stage = 'screen';
    const { security } = pipeline;
    if (security.screen({ method: input.method, headers: input.headers, ...input.screen })) {
      resolution.answered = true;
      return resolution;
    }

    stage = 'auth';
    const auth = input.credentials(target);
    resolution.auth = auth;
    const endpoint = input.localEndpoints?.find(target.path);
    if (endpoint) {
      resolution.endpoint = endpoint;
      if (endpoint.access !== 'public') await admit(resolution, input, () => security.authenticate(auth), endpoint);
      return resolution;
    }
    resolution.passThrough = security.isPassThrough(target.path);
    await admit(resolution, input, () => (resolution.passThrough ? security.passThroughPrincipal(auth) : security.authenticate(auth)));
    if (input.admitOnly?.(target)) return resolution;

    stage = 'parse';
    const hit = pipeline.parsers.find(input.method, target.path);
    if (!hit) throw new GatewayError('LG_ERR_PARSE_NO_SERVICE', { path: target.path });
    resolution.hit = hit;
    const request = new LazyParseRequest(input.method, target.path, target.query, input.headers);
    resolution.request = request;

    stage = 'body';
    const body = input.readBody(request, hit);
    resolution.body = isThenable(body) ? await body : body;

    stage = 'parse';
    const parsed = hit.entry.parser.parse(request, hit.match);
    resolution.parsed = parsed;

    stage = 'route';
    resolution.choice = pipeline.router.instance.route(parsed, { snapshot: input.snapshot(), method: input.method, path: target.path });
  } catch (error) {
    resolution.stage = stage;
    resolution.error = asGatewayError(error);
    // Kept for the caller's log; the client sees LG_ERR_INTERNAL.
    if (!(error instanceof GatewayError)) resolution.unexpected = error;
  }
  return resolution;
}

async function admit<A extends AuthRequest>(resolution: Resolution<A>, input: ResolveInput<A>, login: () => MaybePromise<Principal | undefined>, endpoint?: LocalEndpoint): Promise<void> {
  try {
    const pending = login();
    const principal = isThenable(pending) ? await pending : pending;
    if (principal) resolution.principal = principal;
    if (endpoint?.access === 'admin' && !principal?.admin) throw new GatewayError('LG_ERR_ADMIN_REQUIRED', { path: resolution.target!.path });
  } catch (error) {
    if (input.auth === 'enforce') throw error;
    resolution.authError = asGatewayError(error);
  }
}
