/**
 * The security step of the flow (design §1 step 2), compiled once per config version:
 *
 *   client IP allow list ─► [local user endpoints] ─► pass-through list ─► auth plugins in order
 *
 * Deny lists run before any credential is looked at (S27). Auth plugins run in the declared
 * order; the first that recognises its credentials decides. A plugin that throws anything but a
 * GatewayError fails closed with 401 (S25). With no plugin accepting, the answer is 401.
 */
import type { AuthInstance, AuthRequest, Logger, Principal } from './contracts.js';
import { AddressSet } from './client-address.js';
import type { GatewayConfig } from './config-types.js';
import { GatewayError } from './errors.js';
import type { LoadedPlugin } from './plugin-loader.js';

/** Pass-through entries match from the start of the normalised path, whatever the author wrote. */
export function anchoredRegex(source: string): RegExp {
  return new RegExp(source.startsWith('^') ? source : `^(?:${source})`);
}

export class SecurityPolicy {
  readonly trustedProxies: AddressSet;
  readonly ipAllowList: AddressSet;
  readonly passThrough: readonly RegExp[];

  constructor(
    config: GatewayConfig,
    readonly auth: readonly LoadedPlugin<AuthInstance>[],
    private readonly logger: Logger,
  ) {
    this.trustedProxies = new AddressSet(config.server.trustedProxies);
    this.ipAllowList = new AddressSet(config.security.ipAllowList);
    this.passThrough = config.security.passThrough.map(anchoredRegex);
  }

  checkClientIp(ip: string): void {
    if (this.ipAllowList.size > 0 && !this.ipAllowList.has(ip)) throw new GatewayError('LG_ERR_IP_NOT_ALLOWED', { ip });
  }

  isPassThrough(path: string): boolean {
    for (const regex of this.passThrough) if (regex.test(path)) return true;
    return false;
  }

  async authenticate(request: AuthRequest): Promise<Principal> {
    for (const plugin of this.auth) {
      let principal: Principal | undefined;
      try {
        principal = await plugin.instance.authenticate(request);
      } catch (error) {
        if (error instanceof GatewayError) throw error;
        this.logger.error({ err: error, plugin: plugin.name }, 'auth plugin failed; request refused');
        throw new GatewayError('LG_ERR_AUTH_PLUGIN_FAILED', {}, { cause: error });
      }
      if (principal) return principal;
    }
    throw new GatewayError('LG_ERR_AUTH_REQUIRED');
  }
}
