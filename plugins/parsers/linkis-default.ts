/**
 * The fallback parser: /api/rest_<x>/v1/<serviceId>/… → an application (spec/linkis.md §2.2).
 * Service ids listed under `services` map to that application (exact, case-sensitive, first
 * list wins, as in Linkis); any other id is the application name itself, which the router then
 * resolves exactly (case-insensitive), never by substring.
 */
import { defineParser } from '../../core/contracts.js';
import { checkVersion, versionOption } from './linkis-paths.js';

interface ServiceGroup {
  application: string;
  ids: string[];
}

interface Options {
  version: string;
  services: ServiceGroup[];
}

export const LINKIS_SERVICE_GROUPS: ServiceGroup[] = [
  {
    application: 'linkis-ps-publicservice',
    ids: ['cs', 'contextservice', 'data-source-manager', 'metadataQuery', 'metadatamanager', 'query', 'jobhistory', 'application', 'configuration', 'filesystem', 'udf', 'variable', 'microservice', 'errorcode', 'bml', 'datasource', 'basedata-manager'],
  },
  { application: 'linkis-ps-datasource', ids: ['data-source-manager', 'metadataquery', 'datasource', 'metadataQuery', 'metadatamanager'] },
  { application: 'linkis-cg-linkismanager', ids: ['linkisManager', 'engineplugin'] },
];

export default defineParser<Options>({
  kind: 'parser',
  name: 'linkis-default',
  version: '1.0.0',
  priority: 0,
  fallback: true,
  description: 'Linkis generic rule: the service id in the path names the application',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      version: versionOption,
      services: {
        type: 'array',
        default: LINKIS_SERVICE_GROUPS,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['application', 'ids'],
          properties: {
            application: { type: 'string', minLength: 1 },
            ids: { type: 'array', items: { type: 'string', minLength: 1 } },
          },
        },
      },
    },
  },
  create(options) {
    // Built once per config version: the first group that lists an id wins.
    const applicationOf = new Map<string, string>();
    for (const group of options.services) {
      for (const id of group.ids) if (!applicationOf.has(id)) applicationOf.set(id, group.application);
    }
    return {
      patterns: [{ name: 'service-id', source: '/api/rest_[a-zA-Z]+/(v\\d+)/([^/]+)/.+' }],
      parse(_request, match) {
        checkVersion(match.captures[1], options.version);
        const serviceId = match.captures[2]!;
        return { application: applicationOf.get(serviceId) ?? serviceId };
      },
    };
  },
});
