/**
 * An example parser plugin, in plain JavaScript: drop it next to gateway.yaml and name it.
 *
 *   parsers:
 *     - use: ./tenant-parser.js
 *       options:
 *         prefix: /tenant
 *         tenants: { acme: acme-web, globex: globex-web }
 *
 * GET /tenant/acme/orders/7 goes to the application `acme-web`. A tenant that is not listed goes
 * to `tenant-<name>`, which the router answers with 10050 when no such application exists.
 * The gateway proves this parser's pattern disjoint from every other parser's when it loads.
 */

/** @type {import('labelgate/contracts').ParserManifest<{ prefix: string, tenants: Record<string, string> }>} */
export default {
  kind: 'parser',
  name: 'tenant-parser',
  version: '1.0.0',
  priority: 10,
  description: 'Routes /<prefix>/<tenant>/… to the application serving that tenant',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['tenants'],
    properties: {
      prefix: { type: 'string', pattern: '^/[a-z][a-z0-9-]*$', default: '/tenant' },
      tenants: { type: 'object', minProperties: 1, additionalProperties: { type: 'string', minLength: 1 } },
    },
  },
  create(options) {
    const tenants = new Map(Object.entries(options.tenants));
    return {
      patterns: [{ name: 'tenant', source: `${options.prefix}/(?<tenant>[a-z0-9-]+)/.*` }],
      parse(_request, match) {
        const tenant = match.groups.tenant;
        return { application: tenants.get(tenant) ?? `tenant-${tenant}` };
      },
    };
  },
};
