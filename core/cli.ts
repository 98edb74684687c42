#!/usr/bin/env node
/**
 * labelgate start | check | explain | schema   (design §3.1)
 *
 * The config file is `-c FILE`, else $LABELGATE_CONFIG, else config/gateway.yaml in the
 * current directory, else the default config shipped in the package.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, formatProblem } from './config-errors.js';
import { gatewaySchema } from './config-schema.js';
import { formatExplanation, explainRequest } from './explain.js';
import { Gateway } from './gateway.js';
import { alwaysInfo } from './logger.js';
import { buildOffline } from './offline-pipeline.js';
import { CLI_COMMANDS } from './cli-commands.js';

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHIPPED_CONFIG = path.join(PACKAGE_ROOT, 'config', 'gateway.yaml');

const USAGE = `usage:
  labelgate start [-c FILE]                 run the gateway
  labelgate check [-c FILE]                 validate FILE and prove its rules disjoint
  labelgate explain [-c FILE] METHOD PATH [-H 'K: V']... [-d BODY]
                                            show how a request would be parsed and routed
  labelgate schema                          print the JSON schema of gateway.yaml
${CLI_COMMANDS.map((command) => `  ${command.usage}`).join('\n')}`;

export function defaultConfigFile(): string {
  if (process.env.LABELGATE_CONFIG) return process.env.LABELGATE_CONFIG;
  const local = path.resolve('config', 'gateway.yaml');
  return existsSync(local) ? local : SHIPPED_CONFIG;
}

function printProblems(error: unknown): void {
  // A ConfigError's message is the report (core/config-report.ts), not a stack.
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
}

async function start(file: string): Promise<number> {
  let gateway: Gateway;
  try {
    gateway = await Gateway.start({ configFile: file });
  } catch (error) {
    printProblems(error);
    return 1;
  }
  // stdout carries JSON lines only (`labelgate start | jq`); the first-start password goes to stderr.
  const config = path.relative(process.cwd(), file) || file;
  alwaysInfo(gateway.logger).info({ url: gateway.url, admin: gateway.adminUrl, config }, `labelgate listening on ${gateway.url} (admin ${gateway.adminUrl})`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const graceMs = gateway.pipeline.config.server.shutdownGrace;
  gateway.logger.info({ signal, graceMs }, 'stopping: not ready, no new connections, requests in flight may finish (a second signal stops at once)');
  const now = () => {
    gateway.logger.warn({}, 'second signal: stopping at once');
    process.exit(1);
  };
  process.once('SIGTERM', now);
  process.once('SIGINT', now);
  await gateway.close(graceMs);
  gateway.logger.info({}, 'stopped');
  // Everything is closed, so the event loop should be empty; if a handle leaked, still exit.
  setTimeout(() => {
    gateway.logger.warn({}, 'exiting with handles still open');
    process.exit(0);
  }, 2000).unref();
  return 0;
}

async function check(file: string): Promise<number> {
  try {
    const offline = await buildOffline(file);
    const { warnings } = offline.pipeline;
    await offline.close();
    // Warnings do not fail the check; they go where problems go, one FILE:LINE:COL CODE line each.
    for (const warning of warnings) process.stderr.write(`${formatProblem(warning)}\n`);
    process.stdout.write(`${file}: ok${warnings.length ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : ''}\n`);
    return 0;
  } catch (error) {
    printProblems(error);
    return 1;
  }
}

async function explain(file: string, positionals: string[], headerArgs: string[], body: string | undefined): Promise<number> {
  const [method, target] = positionals;
  if (!method || !target) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  const headers: Record<string, string> = {};
  for (const header of headerArgs) {
    const colon = header.indexOf(':');
    if (colon <= 0) {
      process.stderr.write(`bad header "${header}", expected 'Name: value'\n`);
      return 2;
    }
    headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  let offline;
  try {
    offline = await buildOffline(file);
  } catch (error) {
    printProblems(error);
    return 1;
  }
  const explanation = await explainRequest(offline.pipeline, offline.registry.snapshot(), { method, target, headers, ...(body === undefined ? {} : { body }) });
  await offline.close();
  process.stdout.write(formatExplanation(explanation) + '\n');
  return explanation.error ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const extra = CLI_COMMANDS.find((candidate) => candidate.name === command || candidate.name === `${command} ${rest[0]}`);
  if (extra) return extra.run(extra.name.includes(' ') ? rest.slice(1) : rest);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        header: { type: 'string', short: 'H', multiple: true },
        data: { type: 'string', short: 'd' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const file = path.resolve(parsed.values.config ?? defaultConfigFile());
  if (parsed.values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  switch (command) {
    case 'start': return start(file);
    case 'check': return check(file);
    case 'explain': return explain(file, parsed.positionals, parsed.values.header ?? [], parsed.values.data);
    case 'schema':
      process.stdout.write(JSON.stringify(gatewaySchema, null, 2) + '\n');
      return 0;
    default:
      process.stderr.write(USAGE + '\n');
      return command === undefined || command === 'help' ? 0 : 2;
  }
}

function isMainModule(): boolean {
  if (process.argv[1] === undefined) return false;
  try {
    // npm's bin link is a symlink; compare real paths.
    return realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
  } catch {
    return false;
  }
}

const invokedDirectly = isMainModule();
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
