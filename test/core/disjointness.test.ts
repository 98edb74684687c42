import t from 'tap';
import { ConfigError, ProblemList } from '../../core/config-errors.js';
import { compilePattern, innerSource, provePatterns, type ProvablePattern } from '../../core/disjointness.js';
import { buildProblems } from '../helpers/config.js';

function prove(patterns: Partial<ProvablePattern>[]) {
  const list = new ProblemList('/g.yaml', () => ({ line: 1, column: 1 }));
  provePatterns(patterns.map((p, i) => ({ name: `r${i}`, label: `rules/r${i}`, configPointer: `/parsers/0/options/rules/${i}/match`, source: '', ...p })), list);
  try {
    list.throwIfAny();
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

t.test('disjoint patterns pass', async (t) => {
  t.same(prove([{ source: '^/api/rest_j/v1/jobhistory/.+$' }, { source: '^/api/rest_j/v1/udf/.+$' }]), []);
  t.same(prove([
    { source: '/api/rest_[a-zA-Z][a-zA-Z_0-9]*/(v\\d+)/entrance/(?:execute|backgroundservice|submit|killJobs)' },
    { source: '/api/rest_[a-zA-Z][a-zA-Z_0-9]*/(v\\d+)/entrance/([^/]+)/.+' },
  ]), [], 'the two entrance parsers are disjoint');
});

t.test('overlapping patterns name both rules and a sample URI both match', async (t) => {
  const [problem] = prove([{ source: '^/api/rest_j/v1/jobhistory/.+$' }, { source: '/api/rest_[a-z]+/v1/jobhistory/list' }]);
  t.equal(problem?.code, 'LG_ERR_CONFIG_RULES_OVERLAP');
  t.match(problem?.message, /rules\/r0/);
  t.match(problem?.message, /rules\/r1/);
  const sample = /e\.g\. (\S+)$/.exec(problem!.message)![1]!;
  t.ok(compilePattern({ name: 'a', source: '^/api/rest_j/v1/jobhistory/.+$' }).test(sample), `${sample} matches the first`);
  t.ok(compilePattern({ name: 'b', source: '/api/rest_[a-z]+/v1/jobhistory/list' }).test(sample), `${sample} matches the second`);
});

t.test('the sample is a normalised path (no // or dot segments)', async (t) => {
  const [problem] = prove([{ source: '/a/.*' }, { source: '/a/.*b' }]);
  const sample = /e\.g\. (\S+)$/.exec(problem!.message)![1]!;
  t.notMatch(sample, /\/\//);
  t.match(sample, /^\/a\/.*b$/);
});

t.test('patterns for disjoint method sets do not overlap', async (t) => {
  t.same(prove([{ source: '/x/.+', methods: ['GET'] }, { source: '/x/.+', methods: ['POST'] }]), []);
  t.equal(prove([{ source: '/x/.+', methods: ['GET', 'PUT'] }, { source: '/x/.+', methods: ['PUT'] }]).length, 1);
});

t.test('case-insensitive patterns are compared as such', async (t) => {
  t.equal(prove([{ source: '/API/x', flags: 'i' }, { source: '/api/x' }]).length, 1);
});

t.test('a regex the prover cannot analyse is an error unless marked unproven', async (t) => {
  const [problem] = prove([{ source: '/x/(a+)\\1' }]);
  t.equal(problem?.code, 'LG_ERR_CONFIG_REGEX_UNPROVABLE');
  t.equal(problem?.pointer, '/parsers/0/options/rules/0/match');
  t.same(prove([{ source: '/x/(a+)\\1', unproven: true }]), []);
  t.equal(prove([{ source: '/x/(?!.*admin).*' }])[0]?.code, 'LG_ERR_CONFIG_REGEX_UNPROVABLE', 'a lookahead over the rest of the path');
  t.same(prove([{ source: '/a/(?<!x)b' }]), [], 'a lookaround that simplifies away is fine');
});

t.test('^ and $ are optional: patterns always match the whole path', async (t) => {
  t.equal(innerSource('^/a$'), '/a');
  t.equal(innerSource('/a\\$'), '/a\\$', 'an escaped $ is kept');
  const regex = compilePattern({ name: 'x', source: '/api/x' });
  t.ok(regex.test('/api/x'));
  t.notOk(regex.test('/api/x/y'));
  t.notOk(regex.test('/pre/api/x'));
});

t.test('methods are compared upper-cased, as requests are matched', async (t) => {
  const [problem] = prove([{ source: '/x/.+', methods: ['get'] }, { source: '/x/.+', methods: ['GET'] }]);
  t.equal(problem?.code, 'LG_ERR_CONFIG_RULES_OVERLAP', 'get and GET are one method');
});

/** A path parser plugin whose one pattern has these methods. */
function methodsPlugin(name: string, methods: unknown): Record<string, string> {
  return {
    [`${name}.js`]: `export default { kind: "parser", name: "${name}", version: "1", priority: 1, optionsSchema: {},
      create() { return { patterns: [{ name: "x", source: "/x/.+", methods: ${JSON.stringify(methods)} }], parse() { return { application: "a" }; } }; } };`,
  };
}

t.test('a custom parser with lower-case methods is proven against rules with upper-case ones', async (t) => {
  const problems = await buildProblems(`parsers:
  - use: ./lower.js
  - use: rules
    options: { rules: [ { name: upper, match: "/x/.+", application: b, methods: [GET] } ] }
`, methodsPlugin('lower', ['get']));
  t.equal(problems.length, 1);
  t.equal(problems[0]?.code, 'LG_ERR_CONFIG_RULES_OVERLAP');
  t.match(problems[0]?.message, /lower\/x and rules\/upper/);
});

t.test('a method that is not an RFC 9110 token is refused, naming the rule', async (t) => {
  for (const methods of [['GET /'], ['GET\r\nX-Evil: 1'], [''], [42], 'GET']) {
    const [problem, ...rest] = await buildProblems('parsers: [ { use: ./odd.js } ]\n', methodsPlugin('odd', methods));
    t.equal(problem?.code, 'LG_ERR_CONFIG_METHOD_INVALID', JSON.stringify(methods));
    t.match(problem?.message, /odd\/x/);
    t.equal(problem?.pointer, '/parsers/0/use');
    t.same(rest, []);
  }
  t.same(await buildProblems('parsers: [ { use: ./custom.js } ]\n', methodsPlugin('custom', ['PROPFIND', 'm-search'])), [], 'any token is a method');
});

t.test('a rule marked unproven is left out of the proof with a warning naming it and why, never silently', async (t) => {
  const list = new ProblemList('/g.yaml', () => ({ line: 7, column: 3 }));
  const twice: ProvablePattern = { name: 'twice', label: 'rules/twice', configPointer: '/parsers/0/options/rules/1/match', source: '/x/(a+)\\1', unproven: true };
  const provable: ProvablePattern = { name: 'fine', label: 'rules/fine', configPointer: '/parsers/0/options/rules/2/match', source: '/y/.+', unproven: true };
  const unproven = provePatterns([{ name: 'p', label: 'rules/p', configPointer: '/parsers/0/options/rules/0/match', source: '/x/.+' }, twice, provable], list);
  t.same(unproven.map((entry) => entry.pattern), [twice], 'a rule marked unproven that can be analysed is proven');
  t.match(unproven[0]?.reason, /[Bb]ackreference/);
  t.equal(list.size, 0, 'no error');
  t.match(list.warnings, [{ code: 'LG_WARN_CONFIG_UNPROVEN', file: '/g.yaml', line: 7, column: 3, pointer: '/parsers/0/options/rules/1/match', message: /rules\/twice .*[Bb]ackreference/ }]);
  t.equal(list.warnings.length, 1);
});
