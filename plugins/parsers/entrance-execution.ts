/**
 * POST …/entrance/(execute|submit|backgroundservice|killJobs) → the entrance application, with
 * the route label from the JSON body's `labels.route` (spec/linkis.md §2.3, §2.5). The body is
 * read only for methods that carry one.
 */
import { defineParser } from '../../core/contracts.js';
import { REST_PREFIX, checkVersion, versionOption } from './linkis-paths.js';

interface Options {
  application: string;
  version: string;
  actions: string[];
}

export default defineParser<Options>({
  kind: 'parser',
  name: 'entrance-execution',
  version: '1.0.0',
  priority: 100,
  description: 'Entrance job submissions, routed by the route label in their body',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      application: { type: 'string', minLength: 1, default: 'linkis-cg-entrance' },
      version: versionOption,
      actions: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[A-Za-z]+$' }, default: ['execute', 'backgroundservice', 'submit', 'killJobs'] },
    },
  },
  create(options) {
    return {
      patterns: [{ name: 'execution', source: `${REST_PREFIX}entrance/(?:${options.actions.join('|')})` }],
      needsBody: (request) => request.method !== 'GET' && request.method !== 'HEAD',
      parse(request, match) {
        checkVersion(match.captures[1], options.version);
        const route = request.body?.labels?.route;
        return route === undefined ? { application: options.application } : { application: options.application, labels: { route } };
      },
    };
  },
});
