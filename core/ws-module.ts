/** Wires WebSocket upgrades on the public listener to the WebSocket gateway (core/ws-gateway.ts). */
import type { GatewayModule } from './modules.js';
import { WebSocketGateway } from './ws-gateway.js';

export function websocketModule(): GatewayModule & { readonly gateway: () => WebSocketGateway | undefined } {
  let gateway: WebSocketGateway | undefined;
  return {
    name: 'websocket',
    gateway: () => gateway,
    setup() {},
    started(context) {
      gateway = new WebSocketGateway({ holder: context.holder, registry: context.registry, logger: context.logger, localEndpoints: context.localEndpoints });
      context.services.websocket = gateway;
      context.servers.gateway.on('upgrade', (req, socket, head) => gateway!.handleUpgrade(req, socket, head));
    },
    draining() {
      gateway?.close();
    },
  };
}
