/**
 * A gateway.yaml pushed through etcd (design §3.7) laid over the local file: the pushed document
 * supplies the shared sections, every gateway keeps the sections that describe itself from its
 * own file, so several gateways on one machine can share one pushed document.
 *
 *   local file ──► server, admin, registry, dataDir, labels, log, reload ─┐
 *                                                                        ├─► one config ─► build
 *   etcd <prefix>config/gateway.yaml ──► every other section ────────────┘
 *
 * A section the pushed document leaves out takes its default, not the local value: every gateway
 * runs the same shared config whatever its local file says. Problems are reported in the document
 * they come from (the pushed one is named `etcd:<key>@<revision>`); relative paths in it (plugin
 * modules, upstream.tls.ca) resolve against the local file's directory.
 */
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { parseConfigText, type Environment, type LoadedConfig } from './config-loader.js';
import type { GatewayConfig } from './config-types.js';

export const LOCAL_SECTIONS = ['server', 'admin', 'registry', 'dataDir', 'labels', 'log', 'reload'] as const satisfies readonly (keyof GatewayConfig)[];

/** Turns the local file's config into the config in force (core/gateway.ts applies it on every build). */
export type ConfigLayer = (local: LoadedConfig, env: Environment) => LoadedConfig;

function isLocalPointer(pointer: string): boolean {
  const section = pointer.split('/')[1] ?? '';
  return (LOCAL_SECTIONS as readonly string[]).includes(section);
}

export function layerOver(local: LoadedConfig, shared: LoadedConfig): LoadedConfig {
  const config: Record<string, unknown> = { ...shared.config };
  for (const section of LOCAL_SECTIONS) config[section] = local.config[section];
  return {
    file: local.file,
    dir: local.dir,
    text: shared.text,
    hash: createHash('sha256').update(local.hash).update(shared.hash).digest('hex'),
    config: config as unknown as GatewayConfig,
    locate: (pointer) => (isLocalPointer(pointer) ? local.locate(pointer) : { ...shared.locate(pointer), file: shared.file }),
  };
}

/** The layer of one pushed document; parsing happens per build, with the gateway's environment. */
export function sharedConfigLayer(text: string, label: string): ConfigLayer {
  return (local, env) => layerOver(local, parseConfigText(text, label, env, local.dir));
}

/** Sections written in a document that gateways ignore when it is pushed (for `labelgate config push`). */
export function localSectionsIn(text: string): string[] {
  const document: unknown = parse(text);
  if (typeof document !== 'object' || document === null) return [];
  return LOCAL_SECTIONS.filter((section) => section in document);
}
