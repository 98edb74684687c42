/**
 * `GET /admin/routes`: what the config in force routes by, in the order a request meets it:
 * the parsers and their patterns (each pattern's `route` is the label on metrics and access
 * logs), the router, and the interceptors outermost first.
 */
import type { ParserManifest } from './contracts.js';
import type { Pipeline } from './pipeline.js';

export function describeRoutes(pipeline: Pipeline) {
  return {
    version: pipeline.version,
    parsers: pipeline.parserPlugins.map((plugin) => ({
      name: plugin.name,
      version: plugin.manifest.version,
      ...(plugin.file ? { file: plugin.file } : {}),
      fallback: (plugin.manifest as ParserManifest).fallback === true,
      patterns: plugin.instance.patterns.map((pattern) => ({
        route: `${plugin.name}/${pattern.name}`,
        name: pattern.name,
        match: pattern.source,
        ...(pattern.flags ? { flags: pattern.flags } : {}),
        methods: pattern.methods ?? null,
        unproven: pattern.unproven === true,
      })),
    })),
    router: { name: pipeline.router.name, version: pipeline.router.manifest.version },
    interceptors: pipeline.interceptors.map((plugin) => ({ name: plugin.name, version: plugin.manifest.version, priority: plugin.manifest.priority })),
  };
}
