/**
 * One resolver decides every request (core/request/resolve.ts). Generated requests — method,
 * path with dot segments and escapes, body with or without labels and repeated keys,
 * credentials present or not — are sent as an HTTP request, as a WebSocket frame (POSTs: a frame
 * is a POST) and to `/admin/explain`, and the three must agree: the same error code, or the
 * same application with the instance used among the candidates explain lists.
 *
 * Seeded: LABELGATE_PROPERTY_SEED=<n> replays a run; a failure names its seed and case.
 */
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import WebSocket, { WebSocketServer } from 'ws';
import { startGateway } from '../../helpers/gateway.js';
import { TEST_AUTH_FILES, TEST_AUTH_FILE } from '../../helpers/test-auth.js';
import { encodeExecId } from '../../../plugins/parsers/exec-id.js';

const SEED = Number(process.env.LABELGATE_PROPERTY_SEED ?? Date.now() % 1_000_000);
const CASES = Number(process.env.LABELGATE_PROPERTY_CASES ?? 2500);

/** mulberry32: small, seedable, good enough to spread cases. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** An upstream answering HTTP and WebSocket frames with its own name. */
async function startUpstream(name: string): Promise<{ name: string; hostPort: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ from: name }));
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => socket.on('message', () => socket.send(JSON.stringify({ from: name }))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name, hostPort: `127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close(() => server.close(() => resolve()));
    }),
  };
}

interface Case {
  readonly method: string;
  readonly path: string;
  readonly body: string | undefined;
  readonly user: boolean;
}

type Outcome = { readonly code: string } | { readonly from: string } | { readonly application: string; readonly candidates: readonly string[] };

t.test(`HTTP, a WebSocket frame and explain reach the same decision (seed ${SEED}, ${CASES} cases)`, async (t) => {
  const names = ['tagged', 'plain', 'public', 'strict', 'open'] as const;
  const ups = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await startUpstream(name)] as const))) as Record<(typeof names)[number], Awaited<ReturnType<typeof startUpstream>>>;
  t.teardown(() => Promise.all(Object.values(ups).map((up) => up.close())));
  const byHostPort = new Map(Object.values(ups).map((up) => [up.hostPort, up.name]));
  const gw = await startGateway(t, `security:
  passThrough: ["^/ws/public/", "^/api/rest_j/v1/open/"]
  auth: [{ use: ./${TEST_AUTH_FILE} }]
registry:
  static:
    - { app: linkis-cg-entrance, instances: ["${ups.tagged.hostPort}"], labels: { route: red } }
    - { app: linkis-cg-entrance, instances: ["${ups.plain.hostPort}"] }
    - { app: linkis-ps-publicservice, instances: ["${ups.public.hostPort}"] }
    - { app: strict, instances: ["${ups.strict.hostPort}"] }
    - { app: open, instances: ["${ups.open.hostPort}"] }
parsers:
  - use: entrance-execution
  - use: entrance-request
  - use: rules
    options:
      rules:
        - { name: jobhistory, match: "^/api/rest_j/v1/jobhistory/.+$", application: linkis-ps-publicservice }
  - use: rules
    name: strict
    bodySchema: { type: object, required: [name], properties: { name: { type: string } } }
    options:
      rules:
        - { name: strict, match: "^/api/rest_j/v1/strict/.+$", application: strict }
  - use: linkis-default
router:
  use: label
  options: { serverList: [linkis-cg-entrance], balance: random, pinnedFallback: error }
`, { files: TEST_AUTH_FILES });
  const pool = new Pool(gw.gateway.url, { connections: 1 });
  t.teardown(() => pool.close());
  const admin = new Pool(gw.gateway.adminUrl, { connections: 1 });
  t.teardown(() => admin.close());

  // A socket per credential state, opened on a pass-through path: every frame must then be
  // judged by its own method, whatever let the handshake in.
  const sockets = new Map<boolean, { socket: WebSocket; replies: string[]; waiter?: () => void }>();
  t.teardown(() => {
    for (const { socket } of sockets.values()) socket.terminate();
  });
  async function socketFor(user: boolean) {
    const open = sockets.get(user);
    if (open && open.socket.readyState === WebSocket.OPEN) return open;
    const socket = new WebSocket(`${gw.gateway.url.replace('http', 'ws')}/ws/public/x`, { headers: user ? { 'x-test-user': 'alice' } : {} });
    const entry: { socket: WebSocket; replies: string[]; waiter?: () => void } = { socket, replies: [] };
    socket.on('message', (data) => {
      entry.replies.push(data.toString());
      entry.waiter?.();
    });
    socket.on('close', () => entry.waiter?.());
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    sockets.set(user, entry);
    return entry;
  }

  const next = random(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const execId = encodeExecId('linkis-cg-entrance', ups.tagged.hostPort, 'IDE_alice_shell_0');
  const stems = [
    '/api/rest_j/v1/entrance/execute', '/api/rest_j/v1/entrance/submit', `/api/rest_j/v1/entrance/${execId}/status`,
    '/api/rest_j/v1/entrance/unknown-exec/status', '/api/rest_j/v1/jobhistory/list', '/api/rest_j/v1/strict/item',
    '/api/rest_j/v1/open/info', '/api/rest_j/v1/nosuchapp/x', '/api/other', '/api/rest_j/v1/linkis-cg-entrance/x',
  ];

  function mutate(path: string): string {
    const segments = path.split('/');
    const at = 1 + Math.floor(next() * (segments.length - 1));
    switch (pick(['none', 'none', 'dot', 'dotdot', 'escape', 'escape-slash', 'double', 'case', 'query'] as const)) {
      case 'dot': segments.splice(at, 0, '.'); break;
      case 'dotdot': segments.splice(at, 0, 'zz', '..'); break;
      case 'escape': {
        const segment = segments[at]!;
        const i = Math.floor(next() * segment.length);
        if (segment.length > 0 && /[a-z]/.test(segment[i]!)) segments[at] = segment.slice(0, i) + '%' + segment.charCodeAt(i).toString(16) + segment.slice(i + 1);
        break;
      }
      case 'escape-slash': segments[at] += '%2F'; break;
      case 'double': segments.splice(at, 0, ''); break;
      case 'case': segments[at] = segments[at]!.toUpperCase(); break;
      case 'query': return `${segments.join('/')}?instance=${pick([ups.plain.hostPort, ups.tagged.hostPort, '127.0.0.1:1'])}`;
      case 'none': break;
    }
    return segments.join('/');
  }

  function body(): string | undefined {
    switch (pick(['none', 'plain', 'red', 'blue', 'named', 'duplicate', 'nested-duplicate', 'not-object'] as const)) {
      case 'none': return undefined;
      case 'plain': return '{"executionContent":{"code":"select 1"}}';
      case 'red': return '{"executionContent":{"code":"x"},"labels":{"route":"red"}}';
      case 'blue': return '{"labels":{"route":"blue"},"name":"n"}';
      case 'named': return '{"name":"n","labels":{"route":"red"}}';
      case 'duplicate': return '{"labels":{"route":"plain","route":"red"},"name":"a"}';
      case 'nested-duplicate': return '{"params":{"labels":{"route":"a","route":"b"}},"name":"x"}';
      case 'not-object': return '[1,2]';
    }
  }

  const viaHttp = async (c: Case): Promise<Outcome> => {
    const answer = await pool.request({
      method: c.method as 'GET', path: c.path,
      headers: { ...(c.user ? { 'x-test-user': 'alice' } : {}), ...(c.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: c.body ?? null,
    });
    const json = JSON.parse(await answer.body.text());
    return json.from !== undefined ? { from: json.from } : { code: json.data.code };
  };

  const viaFrame = async (c: Case): Promise<Outcome> => {
    const entry = await socketFor(c.user);
    const before = entry.replies.length;
    const text = `{"method":${JSON.stringify(c.path)}${c.body === undefined ? '' : `,"data":${c.body}`}}`;
    const replied = new Promise<void>((resolve) => (entry.waiter = resolve));
    entry.socket.send(text);
    await replied;
    entry.waiter = undefined;
    const json = JSON.parse(entry.replies[before]!);
    return json.from !== undefined ? { from: json.from } : { code: json.data.code };
  };

  const viaExplain = async (c: Case): Promise<Outcome> => {
    const answer = await admin.request({
      method: 'POST', path: '/admin/explain', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: c.method, path: c.path, client: '127.0.0.1', headers: c.user ? { 'x-test-user': 'alice' } : {}, ...(c.body === undefined ? {} : { body: c.body }) }),
    });
    const { data } = JSON.parse(await answer.body.text());
    const refusal = data.auth ?? data.error;
    if (refusal) return { code: refusal.code };
    return { application: data.application, candidates: data.candidates.map((candidate: { instance: string }) => byHostPort.get(candidate.instance)) };
  };

  const agree = (a: Outcome, explained: Outcome): boolean => {
    if ('code' in explained) return 'code' in a && a.code === explained.code;
    if (!('candidates' in explained)) return false;
    return 'from' in a && explained.candidates.includes(a.from);
  };

  let frames = 0;
  const outcomes = new Map<string, number>();
  for (let i = 0; i < CASES; i++) {
    const method = pick(['GET', 'POST', 'POST', 'PUT', 'DELETE']);
    const c: Case = { method, path: mutate(pick(stems)), body: method === 'GET' || method === 'DELETE' ? undefined : body(), user: next() < 0.6 };
    const explained = await viaExplain(c);
    const answered = await viaHttp(c);
    const key = 'code' in explained ? explained.code : 'application' in explained ? `→ ${explained.application}` : '?';
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    if (!agree(answered, explained)) {
      t.fail(`case ${i} (seed ${SEED}): HTTP and explain disagree`, { case: c, http: answered, explain: explained });
      return;
    }
    if (method === 'POST') {
      frames++;
      const framed = await viaFrame(c);
      if (!agree(framed, explained)) {
        t.fail(`case ${i} (seed ${SEED}): a frame and explain disagree`, { case: c, frame: framed, explain: explained });
        return;
      }
    }
  }
  t.pass(`${CASES} requests and ${frames} frames agreed with explain`);
  // The generator must reach every kind of decision, or the agreement proves little.
  for (const expected of ['→ linkis-cg-entrance', '→ linkis-ps-publicservice', '→ strict', '→ open', 'LG_ERR_AUTH_REQUIRED', 'LG_ERR_BODY_SCHEMA', 'LG_ERR_BODY_DUPLICATE_KEY', 'LG_ERR_PARSE_NO_SERVICE']) {
    t.ok((outcomes.get(expected) ?? 0) > 0, `the cases include ${expected}`);
  }
  t.comment(JSON.stringify(Object.fromEntries(outcomes)));
});
