/**
 * One multiplexed client connection (spec/linkis.md §5, without its shared-state quirks).
 *
 *   client frame ─► resolve (core/request/resolve.ts) ─► link for (application, instance)
 *        │      (its `method` is its path, its `data` its body; on the pipeline in force)  │ same text, unchanged
 *        └── error? an envelope frame for that frame only ◄──────────────────┘
 *   instance frames ──────────────────────────────────────────────────────► client, unchanged
 *
 * Frames are handled one at a time, in arrival order. Backpressure: when the client reads
 * slower than its instances write, every upstream link of the session is paused until the
 * client's buffer drains to half the limit.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { instanceAt, type AuthRequest, type Logger, type Principal } from './contracts.js';
import type { ClientAddress } from './client-address.js';
import { GatewayError } from './errors.js';
import { outboundHeaders } from './outbound-headers.js';
import type { LocalEndpoints } from './local-endpoints.js';
import { targetToString, type RequestTarget } from './path.js';
import type { Pipeline } from './pipeline.js';
import type { PipelineHolder } from './reload.js';
import type { InstanceView, RegistryView } from './registry/snapshot.js';
import { resolve } from './request/resolve.js';
import { CLOSE_NORMAL, CLOSE_POLICY_VIOLATION } from './ws-close-codes.js';
import { errorFrame, frameIdentity, parseClientFrame } from './ws-frames.js';
import type { WebSocketStats } from './ws-stats.js';
import { UpstreamLink } from './ws-upstream.js';
import { WriteBatch } from './ws-write-batch.js';

/** What the handshake established, reused (read-only) by every frame. */
export interface Handshake {
  readonly target: RequestTarget;
  readonly headers: IncomingHttpHeaders;
  readonly client: ClientAddress;
  readonly auth: AuthRequest;
  readonly scheme: 'http' | 'https';
  /** The handshake's request id and trace context, sent on every upstream handshake. */
  readonly traceHeaders: Readonly<Record<string, string>>;
}

export interface SessionDeps {
  readonly holder: PipelineHolder;
  readonly registry: RegistryView;
  readonly logger: Logger;
  readonly stats: WebSocketStats;
  readonly localEndpoints?: LocalEndpoints;
}

/** Headers of a handshake to an instance: the client's, rebuilt forwarding and trace headers, the user. */
export function upstreamHandshakeHeaders(pipeline: Pipeline, handshake: Handshake, principal: Principal | undefined): Record<string, string | string[]> {
  const headers = outboundHeaders(handshake.headers, handshake.client, handshake.scheme, handshake.traceHeaders);
  pipeline.security.identifyUpstream(headers, principal);
  return headers;
}

/** Parsers see a frame as a request with a body. */
const FRAME_METHOD = 'POST';
const WS_HANDSHAKE_HEADERS = ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-accept'];

interface Link {
  readonly link: UpstreamLink;
  readonly application: string;
  readonly instance: string;
}

export class MultiplexSession {
  private readonly links = new Map<string, Link>();
  private queue: Promise<void> = Promise.resolve();
  private closing = false;
  private pausedUpstreams = false;
  private clientAlive = true;
  private readonly batch: WriteBatch;

  /** `socket` is the client's connection under `client`: relayed frames are written to it in batches. */
  constructor(private readonly client: WebSocket, socket: Duplex, private readonly handshake: Handshake, private readonly deps: SessionDeps) {
    this.batch = new WriteBatch(socket);
    client.on('message', (data, isBinary) => {
      deps.stats.framesFromClients++;
      const text = isBinary ? undefined : data.toString();
      this.queue = this.queue.then(() => this.onFrame(text)).catch((error: unknown) => {
        deps.logger.error({ err: error }, 'websocket frame handling failed');
      });
    });
    client.on('pong', () => (this.clientAlive = true));
    client.on('close', () => this.shutdown(CLOSE_NORMAL));
    client.on('error', () => this.shutdown(CLOSE_NORMAL));
  }

  private send(text: string): void {
    if (this.client.readyState !== this.client.OPEN) return;
    this.deps.stats.framesToClients++;
    this.client.send(text);
  }

  private async onFrame(text: string | undefined): Promise<void> {
    if (this.closing) return;
    const pipeline = this.deps.holder.acquire();
    try {
      if (text === undefined) throw new GatewayError('LG_ERR_WS_BINARY_FRAME');
      const frame = parseClientFrame(text);
      const resolution = await resolve(pipeline, {
        method: FRAME_METHOD,
        rawTarget: frame.method,
        headers: this.handshake.headers,
        screen: { clientIp: this.handshake.client.ip },
        localEndpoints: this.deps.localEndpoints,
        // Every frame is a request of its own (design.md §1): whether it may go without a login
        // is decided by its own `method`, never by the path the socket was opened on.
        credentials: () => this.handshake.auth,
        readBody: (request, hit) => {
          pipeline.body.frame(text, frame, request, hit);
          return undefined;
        },
        snapshot: () => this.deps.registry.snapshot(),
        auth: 'enforce',
      });
      if (this.closing) return;
      if (resolution.error) {
        if (resolution.unexpected) this.deps.logger.error({ err: resolution.unexpected }, 'websocket frame handling failed');
        // A session can end while its connection is open: the client hears −1 and the socket closes (1008).
        if (resolution.stage === 'auth') this.refuseConnection(text, resolution.error);
        throw resolution.error;
      }
      if (resolution.endpoint) throw new GatewayError('LG_ERR_WS_LOCAL_ENDPOINT', { path: resolution.target!.path });
      const choice = resolution.choice!;
      const link = this.linkFor(choice.application, instanceAt(choice, 0), pipeline, resolution.principal);
      const sent = link.link.send({ text, undeliverable: (why) => this.undeliverable(text, link, why) });
      if (!sent) throw new GatewayError('LG_ERR_WS_UPSTREAM_BUSY', { instance: link.instance, application: link.application });
    } catch (error) {
      if (!this.closing) this.send(errorFrame(frameIdentity(text), error));
    } finally {
      this.deps.holder.release(pipeline);
    }
  }

  private refuseConnection(text: string, error: GatewayError): void {
    this.send(errorFrame(frameIdentity(text), error));
    this.shutdown(CLOSE_POLICY_VIOLATION);
    this.client.close(CLOSE_POLICY_VIOLATION);
  }

  private linkFor(application: string, instance: InstanceView, pipeline: Pipeline, principal: Principal | undefined): Link {
    const key = `${instance.appKey} ${instance.hostPort}`;
    const existing = this.links.get(key);
    if (existing && !existing.link.isClosed) return existing;
    const { websocket } = pipeline.config;
    if (this.links.size >= websocket.maxUpstreams) throw new GatewayError('LG_ERR_WS_TOO_MANY_UPSTREAMS', { limit: websocket.maxUpstreams });
    const headers = upstreamHandshakeHeaders(pipeline, this.handshake, principal);
    for (const name of WS_HANDSHAKE_HEADERS) delete headers[name];
    const url = `ws://${instance.origin.slice('http://'.length)}${targetToString(this.handshake.target)}`;
    const entry: Link = {
      application,
      instance: instance.hostPort,
      link: new UpstreamLink(url, headers, websocket.maxBufferedBytes, websocket.maxMessageBytes, {
        onMessage: (data, isBinary) => this.relayToClient(data, isBinary, websocket.maxBufferedBytes),
        onClose: (code, opened) => this.onLinkClosed(key, entry, code, opened),
      }),
    };
    this.links.set(key, entry);
    return entry;
  }

  private relayToClient(data: WebSocket.RawData, isBinary: boolean, limit: number): void {
    if (this.client.readyState !== this.client.OPEN) return;
    this.deps.stats.framesToClients++;
    this.batch.hold();
    this.client.send(data as Buffer, { binary: isBinary }, () => {
      if (this.pausedUpstreams && this.client.bufferedAmount <= limit / 2) {
        this.pausedUpstreams = false;
        for (const { link } of this.links.values()) link.resume();
      }
    });
    if (!this.pausedUpstreams && this.client.bufferedAmount > limit) {
      this.pausedUpstreams = true;
      for (const { link } of this.links.values()) link.pause();
    }
  }

  private undeliverable(text: string, link: Link, why: 'connect' | 'closed'): void {
    const params = { instance: link.instance, application: link.application, closeCode: 1006 };
    this.send(errorFrame(frameIdentity(text), new GatewayError(why === 'connect' ? 'LG_ERR_WS_UPSTREAM_CONNECT' : 'LG_ERR_WS_UPSTREAM_CLOSED', params)));
  }

  private onLinkClosed(key: string, entry: Link, code: number, opened: boolean): void {
    if (this.links.get(key) === entry) this.links.delete(key);
    if (this.closing || !opened) return;
    this.send(errorFrame({ method: null }, new GatewayError('LG_ERR_WS_UPSTREAM_CLOSED', { instance: entry.instance, application: entry.application, closeCode: code }, {
      data: { application: entry.application, instance: entry.instance, closeCode: code },
    })));
  }

  /** Called every `websocket.heartbeat`: ping instances and the client; drop the silent ones. */
  heartbeat(): void {
    for (const { link } of this.links.values()) link.heartbeat();
    if (this.client.readyState !== this.client.OPEN) return;
    if (!this.clientAlive) {
      this.client.terminate();
      return;
    }
    this.clientAlive = false;
    this.client.ping();
  }

  get upstreamCount(): number {
    return this.links.size;
  }

  /** Shutdown of the gateway: the client hears `code` (1001), its links are closed. */
  closeClient(code: number): void {
    this.shutdown(code);
    if (this.client.readyState === this.client.OPEN) this.client.close(code);
  }

  /** Closes every upstream link; the client socket is closed by whoever called this. */
  shutdown(code: number): void {
    if (this.closing) return;
    this.closing = true;
    for (const { link } of this.links.values()) link.close(code === CLOSE_POLICY_VIOLATION ? CLOSE_NORMAL : code);
    this.links.clear();
  }
}
