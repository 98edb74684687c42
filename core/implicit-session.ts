/**
 * The gateway honours its own session tickets whenever it can hand one out, as Linkis always
 * honours its session: a config that lets users log in (a strategy with `login`, e.g. `password`
 * or an SSO plugin taking part in password logins) or use `token-login` (the `token` scheme) gets
 * the `session` strategy first, unless `security.auth` lists `session` itself, which then only
 * decides where in the order the ticket is checked. Without this, a login would set a cookie that
 * every later request is refused with.
 */
import type { AuthInstance } from './contracts.js';
import type { PluginRef } from './config-types.js';
import type { LoadedPlugin } from './plugin-loader.js';

export const IMPLICIT_SESSION: PluginRef = Object.freeze({ use: 'session', options: Object.freeze({}) });

const issuesTickets = (plugin: LoadedPlugin<AuthInstance>): boolean => plugin.instance.login !== undefined || plugin.manifest.name === 'token';

export function needsImplicitSession(strategies: readonly LoadedPlugin<AuthInstance>[]): boolean {
  return !strategies.some((plugin) => plugin.manifest.name === 'session') && strategies.some(issuesTickets);
}
