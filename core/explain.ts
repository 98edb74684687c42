/**
 * `labelgate explain` and `POST /admin/explain`: what the gateway would do with a request. It is
 * the resolver's own trace (core/request/resolve.ts), run without forwarding: the screen, the
 * local endpoint or auth outcome, the parser and rule, the application, labels and pinned
 * instance, and the candidate instances the router would pick from, and why.
 *
 * A request without valid credentials is still explained to the end: `auth` says it would be
 * refused there (as a real request would be), and the rest shows where it goes once logged in.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthRequest, ParseTarget } from './contracts.js';
import { parseCookies } from './cookies.js';
import type { LocalEndpoints } from './local-endpoints.js';
import { targetToString, type RequestTarget } from './path.js';
import type { Pipeline } from './pipeline.js';
import type { RegistrySnapshot } from './registry/snapshot.js';
import { resolve, type Stage } from './request/resolve.js';

export interface ExplainInput {
  readonly method: string;
  readonly target: string;
  readonly headers?: IncomingHttpHeaders;
  readonly body?: string;
  /** The client's address; without it the IP allow list is not checked. */
  readonly clientIp?: string;
}

interface ExplainedError {
  readonly code: string;
  readonly message: string;
}

export interface Explanation {
  readonly method: string;
  readonly path?: string;
  /** A CORS preflight: the gateway answers it itself. */
  readonly preflight?: boolean;
  /** The local endpoint (login, userInfo…) that answers the request: it is never forwarded. */
  readonly endpoint?: string;
  readonly passThrough?: boolean;
  /** The user the credentials given name. */
  readonly user?: string;
  /** Why a real request would be refused at the auth stage; the explanation goes on past it. */
  readonly auth?: ExplainedError;
  readonly parser?: string;
  readonly rule?: string;
  readonly fallback?: boolean;
  /** Set when the matched rule is left out of the disjointness proof: why its regex could not be analysed. */
  readonly unproven?: string;
  readonly target?: ParseTarget;
  readonly application?: string;
  readonly reason?: string;
  readonly candidates?: readonly { instance: string; status: string; labels: Readonly<Record<string, string>> }[];
  /** The stage that refused the request, and why. */
  readonly stage?: Stage;
  readonly error?: ExplainedError;
}

/** What auth strategies see of an explained request: its headers, cookies and the given client address. */
function explainCredentials(method: string, target: RequestTarget, headers: IncomingHttpHeaders, clientIp: string | undefined): AuthRequest {
  let cookies: Record<string, string> | undefined;
  return {
    method,
    path: target.path,
    headers,
    get cookies() {
      cookies ??= parseCookies(headers.cookie);
      return cookies;
    },
    clientIp: clientIp ?? '127.0.0.1',
    requestUrl: `http://${headers.host ?? 'localhost'}${targetToString(target)}`,
  };
}

export async function explainRequest(pipeline: Pipeline, snapshot: RegistrySnapshot, input: ExplainInput, localEndpoints?: LocalEndpoints): Promise<Explanation> {
  const method = input.method.toUpperCase();
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  const resolution = await resolve(pipeline, {
    method,
    rawTarget: input.target,
    headers,
    screen: { clientIp: input.clientIp },
    ...(localEndpoints ? { localEndpoints } : {}),
    credentials: (target) => explainCredentials(method, target, headers, input.clientIp),
    readBody: (request, hit) => {
      pipeline.body.explain(input.body, request, hit);
      return undefined;
    },
    snapshot: () => snapshot,
    auth: 'report',
  });
  const { hit, choice } = resolution;
  const explained = (error: { code: string; message: string }): ExplainedError => ({ code: error.code, message: error.message });
  return {
    method,
    ...(resolution.target && { path: resolution.target.path }),
    ...(resolution.answered && { preflight: true }),
    ...(resolution.endpoint && { endpoint: resolution.endpoint.name }),
    ...(resolution.passThrough !== undefined && { passThrough: resolution.passThrough }),
    ...(resolution.principal && { user: resolution.principal.user }),
    ...(resolution.authError && { auth: explained(resolution.authError) }),
    ...(hit && {
      parser: hit.entry.parserName,
      rule: hit.match.pattern.name,
      fallback: pipeline.parsers.fallback.includes(hit.entry),
      ...(hit.entry.unproven !== undefined && { unproven: hit.entry.unproven }),
    }),
    ...(resolution.parsed && { target: resolution.parsed }),
    ...(choice && {
      application: choice.application,
      reason: choice.reason,
      candidates: choice.candidates.map((instance) => ({ instance: instance.hostPort, status: instance.status, labels: instance.labels })),
    }),
    ...(resolution.error && { stage: resolution.stage!, error: explained(resolution.error) }),
  };
}

export function formatExplanation(explanation: Explanation): string {
  const lines = [`request     ${explanation.method} ${explanation.path ?? '(rejected)'}`];
  if (explanation.preflight) lines.push('answered    a CORS preflight, answered by the gateway');
  if (explanation.endpoint) lines.push(`endpoint    ${explanation.endpoint}, answered by the gateway itself (never forwarded)`);
  if (explanation.passThrough) lines.push('auth        pass-through (security.passThrough): no login needed');
  if (explanation.user) lines.push(`user        ${explanation.user}`);
  if (explanation.auth) lines.push(`auth        ${explanation.auth.code} ${explanation.auth.message} (a real request stops here; below is where it goes once logged in)`);
  if (explanation.parser) lines.push(`parser      ${explanation.parser} (rule ${explanation.rule}${explanation.fallback ? ', fallback' : ''}${explanation.unproven !== undefined ? ', unproven' : ''})`);
  if (explanation.unproven !== undefined) {
    lines.push(`unproven    LG_WARN_CONFIG_UNPROVEN this rule is not proven disjoint from the others (its regex cannot be analysed: ${explanation.unproven}); another rule may match this request too, the first in config order wins`);
  }
  if (explanation.target) {
    lines.push(`parsed      application=${explanation.target.application}${explanation.target.instance ? ` instance=${explanation.target.instance}` : ''}${explanation.target.labels ? ` labels=${JSON.stringify(explanation.target.labels)}` : ''}`);
  }
  if (explanation.application) lines.push(`application ${explanation.application}`);
  if (explanation.reason) lines.push(`why         ${explanation.reason}`);
  if (explanation.candidates) {
    lines.push(`candidates  ${explanation.candidates.length}`);
    for (const candidate of explanation.candidates) lines.push(`  - ${candidate.instance} ${candidate.status}${Object.keys(candidate.labels).length ? ` ${JSON.stringify(candidate.labels)}` : ''}`);
  }
  if (explanation.error) lines.push(`error       ${explanation.error.code} ${explanation.error.message} (at ${explanation.stage})`);
  return lines.join('\n');
}
