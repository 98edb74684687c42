/**
 * The example entrance's registration with the gateway's embedded Eureka, through an unmodified
 * eureka-js-client. The route label travels as registration metadata `route` (Linkis's
 * `eureka.instance.metadata-map.route`); changing it re-registers, which the gateway applies to
 * routing before it answers. Labels set by an operator in the gateway's label store win.
 */
import { Eureka } from 'eureka-js-client';

export interface RegistrationOptions {
  /** The gateway's Eureka base, e.g. http://127.0.0.1:9002/eureka/ (credentials may be in it). */
  readonly eurekaUrl: string;
  readonly app: string;
  readonly host: string;
  readonly port: number;
  readonly route: string | undefined;
  readonly heartbeatMs: number;
  readonly leaseSeconds: number;
}

type Callback = (error?: Error | null) => void;
/** eureka-js-client has `register` but its type definitions leave it out. */
type Client = Eureka & { register(callback: Callback): void; config: { instance: { metadata: Record<string, string> } } };

const oneLine = (args: unknown[]) => args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' ');
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (...args: unknown[]) => console.error(`[eureka] ${oneLine(args)}`) };

export class Registration {
  private readonly client: Client;
  route: string | undefined;

  constructor(options: RegistrationOptions) {
    this.route = options.route;
    const base = options.eurekaUrl.endsWith('/') ? options.eurekaUrl : `${options.eurekaUrl}/`;
    this.client = new Eureka({
      logger: quiet,
      instance: {
        app: options.app,
        instanceId: `${options.host}:${options.port}`,
        hostName: options.host,
        ipAddr: options.host,
        vipAddress: options.app,
        port: { $: options.port, '@enabled': true },
        dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
        leaseInfo: { durationInSecs: options.leaseSeconds, renewalIntervalInSecs: Math.ceil(options.heartbeatMs / 1000) },
        metadata: options.route === undefined ? {} : { route: options.route },
      },
      eureka: { serviceUrls: { default: [`${base}apps/`] }, heartbeatInterval: options.heartbeatMs, fetchRegistry: false, maxRetries: 3, requestRetryDelay: 200 },
    }) as Client;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => this.client.start((error) => (error ? reject(error) : resolve())));
  }

  /** Re-registers with a new route label (undefined: none); resolves once the gateway has it. */
  setRoute(route: string | undefined): Promise<void> {
    this.route = route;
    const metadata = this.client.config.instance.metadata;
    if (route === undefined) delete metadata.route;
    else metadata.route = route;
    return new Promise((resolve, reject) => this.client.register((error) => (error ? reject(error) : resolve())));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.client.stop(() => resolve()));
  }
}
