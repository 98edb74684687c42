/**
 * Built-in plugins by kind and `use:` name. Loaded lazily so a config only pays for what it
 * names. Order here is documentation only; run order comes from config order and priority.
 */
import type { AnyManifest, PluginKind } from './contracts.js';

type Loader = () => Promise<AnyManifest>;

const load = (promise: Promise<{ default: AnyManifest }>) => promise.then((module) => module.default);

export const BUILTIN_PLUGINS: Readonly<Record<PluginKind, Readonly<Record<string, Loader>>>> = {
  parser: {
    'entrance-execution': () => load(import('../plugins/parsers/entrance-execution.js')),
    'entrance-request': () => load(import('../plugins/parsers/entrance-request.js')),
    rules: () => load(import('../plugins/parsers/rules.js')),
    'linkis-default': () => load(import('../plugins/parsers/linkis-default.js')),
  },
  router: {
    label: () => load(import('../plugins/routers/label.js')),
  },
  auth: {
    token: () => load(import('../plugins/auth/token.js')),
    session: () => load(import('../plugins/auth/session.js')),
    password: () => load(import('../plugins/auth/password.js')),
    oidc: () => load(import('../plugins/auth/oidc.js')),
  },
  interceptor: {
    retry: () => load(import('../plugins/interceptors/retry.js')),
  },
};
