/**
 * …/entrance/<execID>/… → the entrance instance encoded in the exec ID (spec/linkis.md §2.3, §3);
 * …/entrance/operation…/…?instance=h:p → that instance (graceful-offline operations). Without a
 * single `instance` parameter an operation goes to the entrance application as a whole.
 */
import { defineParser } from '../../core/contracts.js';
import { decodeExecId } from './exec-id.js';
import { REST_PREFIX, checkVersion, versionOption } from './linkis-paths.js';

interface Options {
  application: string;
  version: string;
}

export default defineParser<Options>({
  kind: 'parser',
  name: 'entrance-request',
  version: '1.0.0',
  priority: 90,
  description: 'Requests about one job, pinned to the entrance instance named in its exec ID',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      application: { type: 'string', minLength: 1, default: 'linkis-cg-entrance' },
      version: versionOption,
    },
  },
  create(options) {
    return {
      patterns: [{ name: 'request', source: `${REST_PREFIX}entrance/([^/]+)/.+` }],
      parse(request, match) {
        checkVersion(match.captures[1], options.version);
        const id = match.captures[2]!;
        if (id.startsWith('operation')) {
          const instances = request.query.getAll('instance');
          return instances.length === 1 && instances[0] !== ''
            ? { application: options.application, instance: instances[0]! }
            : { application: options.application };
        }
        const decoded = decodeExecId(id);
        return { application: decoded.application, instance: decoded.instance };
      },
    };
  },
});
