/** Plugins by name and by path: manifests and options are checked; failures are coded config errors. */
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { startGateway, staticRegistry } from '../helpers/gateway.js';
import { buildProblems } from '../helpers/config.js';
import { startUpstream } from '../helpers/upstream.js';
import { repoPath } from '../helpers/paths.js';
import { orderInterceptors } from '../../core/pipeline.js';
import { MANIFEST_SCHEMAS, type LoadedPlugin } from '../../core/plugin-loader.js';

const OPEN = 'security: { passThrough: ["^/"] }\n';

t.test('the example tenant parser loads from a path next to the config and routes', async (t) => {
  const acme = await startUpstream('acme');
  t.teardown(() => acme.close());
  const gw = await startGateway(t, `${OPEN}${staticRegistry({ 'acme-web': [acme] })}parsers:
  - use: ./tenant-parser.js
    options: { tenants: { acme: acme-web } }
  - use: linkis-default
`, { files: { 'tenant-parser.js': await readFile(repoPath('examples/parsers/tenant-parser.js'), 'utf8') } });
  const answer = await gw.request('/tenant/acme/orders/7');
  t.equal(answer.json().upstream, 'acme');
  t.equal(acme.received[0]!.url, '/tenant/acme/orders/7');
  const unknown = await gw.request('/tenant/globex/orders/7');
  t.equal(unknown.status, 404);
  t.equal(unknown.json().data.errCode, 10050, 'an unlisted tenant names an application that does not exist');
});

t.test('a path plugin is validated against its own options schema, with the entry position', async (t) => {
  const [problem] = await buildProblems(`parsers:\n  - use: ./tenant-parser.js\n    options:\n      tenants: {}\n      colour: red\n`, { 'tenant-parser.js': await readFile(repoPath('examples/parsers/tenant-parser.js'), 'utf8') });
  t.equal(problem?.code, 'LG_ERR_CONFIG_PLUGIN_OPTIONS');
  t.match(problem?.message, /colour|tenants/);
  t.ok(problem!.line >= 5, `line ${problem!.line} is inside the entry`);
});

t.test('a plugin pattern overlapping another parser is refused with a sample', async (t) => {
  const [problem] = await buildProblems(`parsers:
  - use: ./tenant-parser.js
    options: { tenants: { a: b } }
  - use: rules
    options: { rules: [ { name: acme-orders, match: "/tenant/acme/orders/.+", application: orders } ] }
`, { 'tenant-parser.js': await readFile(repoPath('examples/parsers/tenant-parser.js'), 'utf8') });
  t.equal(problem?.code, 'LG_ERR_CONFIG_RULES_OVERLAP');
  t.match(problem?.message, /tenant-parser\/tenant and rules\/acme-orders/);
  t.match(problem?.message, /e\.g\. \/tenant\/acme\/orders\/\S+$/);
});

t.test('bad manifests are coded errors, never skipped', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['export default { kind: "parser", name: "nocreate", version: "1", priority: 1, optionsSchema: {} };', 'nocreate', /the manifest needs "create"/],
    ['export default { kind: "parser", name: "notfunction", version: "1", priority: 1, optionsSchema: {}, create: {} };', 'notfunction', /create must be a function/],
    ['export default { kind: "router", name: "wrongkind", version: "1", priority: 1, optionsSchema: {}, create() {} };', 'wrongkind', /kind is "router"/],
    ['export default { kind: "parser", name: "other", version: "1", priority: 1, optionsSchema: {}, create() {} };', 'renamed', /must agree/],
    ['export default 42;', 'notobject', /manifest object/],
    ['export default { kind: "parser", name: "badschema", version: "1", priority: 1, optionsSchema: { type: "nonsense" }, create() {} };', 'badschema', /optionsSchema does not compile/],
    ['throw new Error("boom at import");', 'throws', /failed to load: boom at import/],
  ];
  for (const [source, name, message] of cases) {
    const [problem] = await buildProblems(`parsers: [ { use: ./${name}.js } ]\n`, { [`${name}.js`]: source });
    t.equal(problem?.code, 'LG_ERR_CONFIG_PLUGIN_MANIFEST', name);
    t.match(problem?.message, message, name);
  }
});

t.test('a plugin whose create throws is a coded error at its entry', async (t) => {
  const [problem] = await buildProblems('parsers: [ { use: ./failing.js } ]\n', {
    'failing.js': 'export default { kind: "parser", name: "failing", version: "1", priority: 1, optionsSchema: {}, create() { throw new Error("no database"); } };',
  });
  t.equal(problem?.code, 'LG_ERR_CONFIG_PLUGIN_CREATE');
  t.match(problem?.message, /no database/);
});

t.test('unknown built-ins and missing files are LG_ERR_CONFIG_PLUGIN_NOT_FOUND', async (t) => {
  t.equal((await buildProblems('parsers: [ { use: regexes } ]\n'))[0]?.code, 'LG_ERR_CONFIG_PLUGIN_NOT_FOUND');
  t.equal((await buildProblems('parsers: [ { use: ./missing.js } ]\n'))[0]?.code, 'LG_ERR_CONFIG_PLUGIN_NOT_FOUND');
  t.equal((await buildProblems('router: { use: fancy }\n'))[0]?.code, 'LG_ERR_CONFIG_PLUGIN_NOT_FOUND');
});

t.test('rules with duplicate names point at the second name', async (t) => {
  const [problem] = await buildProblems('parsers:\n  - use: rules\n    options:\n      rules:\n        - { name: a, match: /a/x, application: x }\n        - { name: a, match: /a/y, application: y }\n');
  t.equal(problem?.code, 'LG_ERR_CONFIG_PLUGIN_CREATE');
  t.equal(problem?.pointer, '/parsers/0/options/rules/1/name');
});

t.test('interceptors run outermost first by priority, ties broken by name', async (t) => {
  const plugin = (name: string, priority: number) => ({ name, manifest: { priority } }) as unknown as LoadedPlugin<unknown>;
  const ordered = orderInterceptors([plugin('b', 10), plugin('a', 10), plugin('retry', 100), plugin('z', 1)]);
  t.same(ordered.map((p) => p.name), ['retry', 'a', 'b', 'z']);
});

/** A path plugin of `kind` named `name`, with `extra` manifest keys (JS source). */
function plugin(kind: string, name: string, extra = ''): Record<string, string> {
  const instance = kind === 'parser'
    ? `{ patterns: [{ name: "all", source: "/${name}/.*" }], parse() { return { application: "${name}" }; } }`
    : '{ route() { throw new Error("unused"); } }';
  return { [`${name}.js`]: `export default { kind: "${kind}", name: "${name}", version: "1", priority: 1, optionsSchema: {}, ${extra} create() { return ${instance}; } };` };
}

t.test('manifests are validated against the schema of their kind: types, and no key it does not know', async (t) => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['parsers: [ { use: ./yes.js } ]\n', plugin('parser', 'yes', 'fallback: "yes",'), /fallback must be boolean/],
    ['parsers: [ { use: ./typo.js } ]\n', plugin('parser', 'typo', 'fallbak: true,'), /unknown key "fallbak" \(a parser manifest has kind, name, version, priority, optionsSchema, create, description, fallback\)/],
    ['router: { use: ./router-fallback.js }\n', plugin('router', 'router-fallback', 'fallback: true,'), /unknown key "fallback" \(a router manifest has .*\)/],
    ['parsers: [ { use: ./infinite.js } ]\n', plugin('parser', 'infinite', 'priority: 1 / 0,'), /priority must be a finite number/],
    ['parsers: [ { use: ./described.js } ]\n', plugin('parser', 'described', 'description: 7,'), /description must be string/],
  ];
  for (const [yaml, files, message] of cases) {
    const [problem, ...rest] = await buildProblems(yaml, files);
    t.equal(problem?.code, 'LG_ERR_CONFIG_PLUGIN_MANIFEST', Object.keys(files)[0]);
    t.match(problem?.message, message, Object.keys(files)[0]);
    t.match(problem?.pointer, /\/use$/);
    t.same(rest, []);
  }
});

t.test('one fallback parser per config: a second is refused, naming both', async (t) => {
  t.same(await buildProblems('parsers: [ { use: ./catchall.js } ]\n', plugin('parser', 'catchall', 'fallback: true,')), [], 'one path fallback loads');
  const [problem, ...rest] = await buildProblems('parsers: [ { use: linkis-default }, { use: ./catchall.js } ]\n', plugin('parser', 'catchall', 'fallback: true,'));
  t.equal(problem?.code, 'LG_ERR_CONFIG_FALLBACK_DUPLICATE');
  t.match(problem?.message, /linkis-default and catchall are both fallback parsers/);
  t.equal(problem?.pointer, '/parsers/1/use');
  t.same(rest, []);
  const [named] = await buildProblems('parsers: [ { use: linkis-default, name: one }, { use: linkis-default, name: two } ]\n');
  t.equal(named?.code, 'LG_ERR_CONFIG_FALLBACK_DUPLICATE');
  t.match(named?.message, /one and two/);
});

t.test('README "Writing a plugin" documents every manifest key, fallback included', async (t) => {
  const readme = await readFile(repoPath('README.md'), 'utf8');
  const start = readme.indexOf('## Writing a plugin');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const documented = section.split('\n').flatMap((line) => /^\| `([a-zA-Z]+)` \|/.exec(line)?.[1] ?? []);
  const keys = new Set(Object.values(MANIFEST_SCHEMAS).flatMap((schema) => Object.keys(schema.properties as object)));
  t.same(documented.sort(), [...keys].sort());
  t.ok(keys.has('fallback'));
});
