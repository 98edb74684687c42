/**
 * Job submissions for body tests: JSON bodies of an exact size, and a gateway in front of two
 * entrance instances, one labelled `route: et1` ("tagged") and one without a label ("plain").
 */
import { createHash } from 'node:crypto';
import type { Answer } from './http.js';
import { startGateway, type TestGateway } from './gateway.js';
import { startUpstream, type Upstream } from './upstream.js';

export const SUBMIT = '/api/rest_j/v1/entrance/submit';
export const JSON_TYPE = { 'content-type': 'application/json' };

/** A Linkis submit of exactly `size` bytes (padded in executionContent.code) with these labels. */
export function submitBody(size: number, labels: Record<string, string> = { route: 'et1' }): string {
  const build = (code: string) => JSON.stringify({ executionContent: { code, runType: 'sql' }, labels });
  const pad = size - Buffer.byteLength(build(''));
  if (pad < 0) throw new Error(`a submit cannot be smaller than ${size - pad} bytes`);
  return build('x'.repeat(pad));
}

export function sha1(body: string | Buffer): string {
  return createHash('sha1').update(body).digest('hex');
}

export interface EntranceGateway {
  readonly gw: TestGateway;
  readonly tagged: Upstream;
  readonly plain: Upstream;
  submit(body: string | Buffer, headers?: Record<string, string | string[]>): Promise<Answer>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** YAML for the entrance instances and parsers; `bodySchema` goes on entrance-execution. */
export function entranceYaml(tagged: Upstream, plain: Upstream, body: string, bodySchema?: object): string {
  return `security: { passThrough: ["^/"] }
registry:
  static:
    - { app: linkis-cg-entrance, instances: ["${tagged.hostPort}"], labels: { route: et1 } }
    - { app: linkis-cg-entrance, instances: ["${plain.hostPort}"] }
parsers:
  - use: entrance-execution${bodySchema ? `\n    bodySchema: ${JSON.stringify(bodySchema)}` : ''}
  - use: linkis-default
body: ${body}
`;
}

/** `body` is the YAML of the `body:` section, e.g. `{ workers: 1, workerThreshold: 4KiB }`. */
export async function startEntranceGateway(t: Teardown, body: string, bodySchema?: object): Promise<EntranceGateway> {
  const tagged = await startUpstream('tagged');
  const plain = await startUpstream('plain');
  t.teardown(() => Promise.all([tagged.close(), plain.close()]));
  const gw = await startGateway(t, entranceYaml(tagged, plain, body, bodySchema));
  return {
    gw, tagged, plain,
    submit: (payload, headers = JSON_TYPE) => gw.request(SUBMIT, { method: 'POST', headers, body: payload }),
  };
}
