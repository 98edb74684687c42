import t from 'tap';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfigText } from '../../core/config-loader.js';
import { ConfigError } from '../../core/config-errors.js';
import { gatewaySchema } from '../../core/config-schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function problemsOf(text: string, env: Record<string, string> = {}) {
  try {
    parseConfigText(text, '/cfg/gateway.yaml', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

t.test('an almost empty config gets every default', async (t) => {
  const { config } = parseConfigText('server: {}\n', '/cfg/gateway.yaml', {});
  t.equal(config.server.port, 9001);
  t.equal(config.admin.host, '127.0.0.1');
  t.equal(config.body.maxBytes, 64 * 1024 * 1024, 'sizes become bytes');
  t.equal(config.websocket.heartbeat, 5000, 'durations become milliseconds');
  t.same(config.parsers.map((p) => p.use), ['entrance-execution', 'entrance-request', 'linkis-default']);
  t.equal(config.router.use, 'label');
  t.same(config.security.auth, [], 'no auth plugins by default: fail closed');
});

t.test('sizes and durations accept numbers and units', async (t) => {
  const { config } = parseConfigText('body: { maxBytes: 1MiB, workerThreshold: 512 }\nwebsocket: { heartbeat: 1m }\nsecurity: { session: { ttl: 2h } }\n', '/c.yaml', {});
  t.equal(config.body.maxBytes, 1048576);
  t.equal(config.body.workerThreshold, 512);
  t.equal(config.websocket.heartbeat, 60_000);
  t.equal(config.security.session.ttl, 7_200_000);
  const [problem] = problemsOf('body: { maxBytes: 12 potatoes }\n');
  t.equal(problem?.code, 'LG_ERR_CONFIG_SCHEMA');
  t.match(problem?.message, /size/);
});

t.test('${VAR} and ${VAR:-default} are substituted from the environment', async (t) => {
  const text = 'server:\n  port: ${PORT}\n  host: "${HOST:-127.0.0.2}"\nadmin:\n  token: "${TOKEN:-}"\n';
  const { config } = parseConfigText(text, '/c.yaml', { PORT: '9100' });
  t.equal(config.server.port, 9100, 'a whole-value variable takes the type it would have written there');
  t.equal(config.server.host, '127.0.0.2');
  t.equal(config.admin.token, '');
  t.equal(parseConfigText('admin: { token: "a$${B}" }\n', '/c.yaml', {}).config.admin.token, 'a${B}', '$${ escapes a literal ${');
});

t.test('a value that is one ${VAR}, quoted or not, takes the type its key asks for', async (t) => {
  const env = { PORT: '9001', DIGITS: '12345678901234567890123456789012345', OFF: 'false', N: '5' };
  const { config } = parseConfigText([
    'server: { port: "${PORT}", host: "h${N}" }',
    'admin:\n  token: ${DIGITS}',
    'log: { access: \'${OFF}\' }',
    'parsers:\n  - use: linkis-default\n    options:\n      quoted: "${N}"\n      plain: ${N}',
    '',
  ].join('\n'), '/c.yaml', env);
  t.equal(config.server.port, 9001, 'quoted, for an integer key: the integer');
  t.equal(config.server.host, 'h5', 'text around the variable: a string');
  t.equal(config.admin.token, env.DIGITS, 'digits for a string key stay a string');
  t.equal(config.log.access, false, 'quoted, for a boolean key: the boolean');
  t.same(config.parsers[0]!.options, { quoted: '5', plain: 5 }, 'plugin options, which the config schema does not type: YAML decides, so quotes make a string');
});

t.test('a ${VAR} inside { } is one problem at its $, with the source line; the parser follow-ups inside it are dropped', async (t) => {
  const problems = problemsOf('admin: { port: 0 }\nserver: { host: 127.0.0.1, port: ${PORT} }\n', { PORT: '1' });
  t.match(problems[0], { code: 'LG_ERR_CONFIG_YAML_VARIABLE_IN_FLOW', line: 2, column: 34, width: 7, source: 'server: { host: 127.0.0.1, port: ${PORT} }' });
  t.notOk(problems.slice(1).some((problem) => problem.line === 2 && problem.column > 34 && problem.column < 41), 'nothing else inside ${PORT}');
  t.equal(problemsOf('a: [ ${A}, b ]\n')[0]?.code, 'LG_ERR_CONFIG_YAML_VARIABLE_IN_FLOW', 'in a flow sequence too');
  t.equal(problemsOf('server: [1\n')[0]?.code, 'LG_ERR_CONFIG_YAML', 'other syntax errors keep their code');
});

t.test('S26: the source line shown with a problem masks the value of a secret key', async (t) => {
  const [problem] = problemsOf('admin:\n  token: "hunter2-not-closed\n');
  t.equal(problem?.code, 'LG_ERR_CONFIG_YAML');
  t.notMatch(problem?.source ?? '', /hunter2/);
  const [schema] = problemsOf('security:\n  session: { secret: tooshort, ttl: nope }\n');
  t.match(schema, { line: 2, source: '  session: { secret: ********, ttl: nope }' });
  t.match(problemsOf('admin: { token: ${TOKEN}, port: x }\n', { TOKEN: 't' })[0], { source: 'admin: { token: ${TOKEN}, port: x }' }, 'a variable name is not masked');
});

t.test('a missing variable names the variable and its position', async (t) => {
  const [problem] = problemsOf('server:\n  port: 1\nadmin:\n  token: ${SECRET_TOKEN}\n');
  t.equal(problem?.code, 'LG_ERR_CONFIG_ENV_MISSING');
  t.match(problem?.message, /SECRET_TOKEN/);
  t.equal(problem?.line, 4);
  t.equal(problem?.pointer, '/admin/token');
});

t.test('unknown keys, wrong types and out-of-range ports are coded errors with positions', async (t) => {
  const problems = problemsOf('server:\n  port: 70000\n  colour: blue\nparsers: nope\n');
  const byPointer = Object.fromEntries(problems.map((p) => [p.pointer, p]));
  t.equal(byPointer['/server/port']?.line, 2);
  t.match(byPointer['/server/port']?.message, /65535/);
  t.equal(byPointer['/server/colour']?.line, 3);
  t.match(byPointer['/server/colour']?.message, /unknown key "colour"/);
  t.equal(byPointer['/parsers']?.line, 4);
  t.ok(problems.every((p) => p.code === 'LG_ERR_CONFIG_SCHEMA' && p.file === '/cfg/gateway.yaml'));
});

t.test('malformed YAML is reported with its line', async (t) => {
  const [problem] = problemsOf('server:\n  port: [1\n');
  t.equal(problem?.code, 'LG_ERR_CONFIG_YAML');
  t.ok(problem!.line >= 2);
});

t.test('an empty or half-written file is refused, not treated as all defaults', async (t) => {
  t.equal(problemsOf('')[0]?.code, 'LG_ERR_CONFIG_YAML');
  t.equal(problemsOf('# only a comment\n')[0]?.code, 'LG_ERR_CONFIG_YAML');
  t.equal(problemsOf('just a string\n')[0]?.code, 'LG_ERR_CONFIG_SCHEMA');
});

t.test('S7: config values are data; unknown YAML tags are refused, never evaluated', async (t) => {
  const [problem] = problemsOf('admin:\n  token: !!js/function "function () { return 1 }"\n');
  t.equal(problem?.code, 'LG_ERR_CONFIG_YAML');
  const spel = '#{T(java.lang.Runtime).getRuntime().exec("id")}';
  t.equal(parseConfigText(`admin: { token: '${spel}' }\n`, '/c.yaml', {}).config.admin.token, spel, 'the value round-trips literally');
});

t.test('duplicate keys are refused', async (t) => {
  t.equal(problemsOf('server: { port: 1 }\nserver: { port: 2 }\n')[0]?.code, 'LG_ERR_CONFIG_YAML');
});

t.test('config/gateway.schema.json is generated from the schema (run `node dist/core/cli.js schema > config/gateway.schema.json`)', async (t) => {
  const onDisk = JSON.parse(await readFile(path.join(ROOT, 'config/gateway.schema.json'), 'utf8'));
  t.same(onDisk, JSON.parse(JSON.stringify(gatewaySchema)));
});

t.test('the shipped config/gateway.yaml is valid without any environment variable', async (t) => {
  const text = await readFile(path.join(ROOT, 'config/gateway.yaml'), 'utf8');
  const { config } = parseConfigText(text, path.join(ROOT, 'config/gateway.yaml'), {});
  t.equal(config.server.port, 9001);
  t.equal(config.admin.port, 9002);
});
