/**
 * `labelgate explain` and `POST /admin/explain`: which parser matched a request, the
 * application, labels and pinned instance it produced, and the candidate instances the router
 * would pick from, and why. Runs the same stages as a real request, without forwarding.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ParseTarget } from './contracts.js';
import { asGatewayError } from './errors.js';
import { LazyParseRequest } from './parse-stage.js';
import { normaliseTarget } from './path.js';
import type { Pipeline } from './pipeline.js';
import type { RegistrySnapshot } from './registry/snapshot.js';

export interface ExplainInput {
  readonly method: string;
  readonly target: string;
  readonly headers?: IncomingHttpHeaders;
  readonly body?: string;
}

export interface Explanation {
  readonly method: string;
  readonly path?: string;
  readonly parser?: string;
  readonly rule?: string;
  readonly fallback?: boolean;
  /** Set when the matched rule is left out of the disjointness proof: why its regex could not be analysed. */
  readonly unproven?: string;
  readonly target?: ParseTarget;
  readonly application?: string;
  readonly reason?: string;
  readonly candidates?: readonly { instance: string; status: string; labels: Readonly<Record<string, string>> }[];
  readonly error?: { readonly code: string; readonly message: string };
}

export function explainRequest(pipeline: Pipeline, snapshot: RegistrySnapshot, input: ExplainInput): Explanation {
  const method = input.method.toUpperCase();
  // Built up stage by stage; whatever was reached is reported.
  const result: { -readonly [K in keyof Explanation]: Explanation[K] } = { method };
  try {
    const target = normaliseTarget(input.target);
    result.path = target.path;
    const hit = pipeline.parsers.find(method, target.path);
    if (!hit) {
      result.error = { code: 'LG_ERR_PARSE_NO_SERVICE', message: `no parser matches ${target.path}` };
      return result;
    }
    result.parser = hit.entry.parserName;
    result.rule = hit.match.pattern.name;
    result.fallback = pipeline.parsers.fallback.includes(hit.entry);
    if (hit.entry.unproven !== undefined) result.unproven = hit.entry.unproven;
    const request = new LazyParseRequest(method, target.path, target.query, input.headers ?? {});
    if (input.body !== undefined) pipeline.body.explain(input.body, request, hit);
    const parsed = hit.entry.parser.parse(request, hit.match);
    result.target = parsed;
    const choice = pipeline.router.instance.route(parsed, { snapshot, method, path: target.path });
    result.application = choice.application;
    result.reason = choice.reason;
    result.candidates = choice.candidates.map((instance) => ({ instance: instance.hostPort, status: instance.status, labels: instance.labels }));
  } catch (error) {
    const gatewayError = asGatewayError(error);
    result.error = { code: gatewayError.code, message: gatewayError.message };
  }
  return result;
}

export function formatExplanation(explanation: Explanation): string {
  const lines = [`request     ${explanation.method} ${explanation.path ?? '(rejected)'}`];
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
  if (explanation.error) lines.push(`error       ${explanation.error.code} ${explanation.error.message}`);
  return lines.join('\n');
}
