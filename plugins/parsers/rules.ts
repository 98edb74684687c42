/**
 * Declarative rules: a regex on the normalised path → an application, optionally pinned to the
 * instance captured by a named group. `application` may use `$<group>` to build the name from
 * the path (e.g. `dss-$<module>-server`). Rules are proven disjoint from each other and from
 * every other non-fallback parser when the config loads.
 */
import { defineParser, type ParserPattern } from '../../core/contracts.js';

interface Rule {
  name: string;
  match: string;
  application: string;
  instanceGroup?: string;
  methods?: string[];
  ignoreCase?: boolean;
  unproven?: boolean;
}

interface Options {
  rules: Rule[];
}

const GROUP_REFERENCE = /\$<([A-Za-z_][A-Za-z0-9_]*)>/g;

export default defineParser<Options>({
  kind: 'parser',
  name: 'rules',
  version: '1.0.0',
  priority: 50,
  description: 'Regex rules from gateway.yaml',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['rules'],
    properties: {
      rules: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'match', 'application'],
          properties: {
            name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
            match: { type: 'string', minLength: 1, regex: true },
            application: { type: 'string', minLength: 1 },
            instanceGroup: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
            methods: { type: 'array', minItems: 1, items: { enum: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] } },
            ignoreCase: { type: 'boolean', default: false },
            unproven: { type: 'boolean', default: false },
          },
        },
      },
    },
  },
  create(options) {
    const names = new Set<string>();
    for (const [index, rule] of options.rules.entries()) {
      if (names.has(rule.name)) throw Object.assign(new Error(`two rules are named "${rule.name}"`), { pointer: `/rules/${index}/name` });
      names.add(rule.name);
    }
    const byName = new Map(options.rules.map((rule) => [rule.name, rule]));
    const patterns: ParserPattern[] = options.rules.map((rule, index) => ({
      name: rule.name,
      source: rule.match,
      flags: rule.ignoreCase ? 'i' : '',
      ...(rule.methods ? { methods: rule.methods } : {}),
      unproven: rule.unproven === true,
      pointer: `/rules/${index}/match`,
    }));
    return {
      patterns,
      parse(_request, match) {
        const rule = byName.get(match.pattern.name)!;
        const application = rule.application.includes('$<')
          ? rule.application.replace(GROUP_REFERENCE, (_whole, group: string) => match.groups[group] ?? '')
          : rule.application;
        const instance = rule.instanceGroup === undefined ? undefined : match.groups[rule.instanceGroup];
        return instance ? { application, instance } : { application };
      },
    };
  },
});
