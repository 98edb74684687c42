/**
 * Child process: a gateway for the body benchmark, in front of an entrance backend (1 MB submits,
 * routed by their label) and a publicservice backend (the small GETs), with the default
 * body settings apart from `body.workers`. It answers
 * GET /__bench/eventloop with its event-loop delay since the last call (perf_hooks
 * monitorEventLoopDelay, milliseconds) and starts a new measurement. Prints `READY <url>`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { okEnvelope } from '../../core/envelope.js';
import { Gateway } from '../../core/gateway.js';
import { createLogger } from '../../core/logger.js';
import type { GatewayModule } from '../../core/modules.js';

const { entrance, publicservice, workers } = JSON.parse(process.argv[2]!) as { entrance: string; publicservice: string; workers: number };

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const eventLoopProbe: GatewayModule = {
  name: 'bench-eventloop',
  setup(context) {
    context.localEndpoints.add({
      name: 'bench-eventloop', path: '/__bench/eventloop', access: 'public',
      handle(request) {
        const ms = (ns: number) => ns / 1e6;
        request.reply(200, okEnvelope('/__bench/eventloop', 'ok', { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) }));
        delay.reset();
      },
    });
  },
};

const dir = await mkdtemp(path.join(tmpdir(), 'labelgate-bench-'));
const file = path.join(dir, 'gateway.yaml');
await writeFile(file, `server: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
labels: { file: ./labels.json }
log: { level: error }
security: { passThrough: ["^/"] }
registry:
  static:
    - { app: linkis-cg-entrance, instances: ["${entrance}"], labels: { route: bench } }
    - { app: linkis-ps-publicservice, instances: ["${publicservice}"] }
body: { maxBytes: 8MiB, workers: ${workers} }
`);
const gateway = await Gateway.start({ configFile: file, watch: false, logger: createLogger('error'), modules: [eventLoopProbe] });
process.stdout.write(`READY ${gateway.url}\n`);
process.on('SIGTERM', () => void gateway.close().then(() => rm(dir, { recursive: true, force: true })).then(() => process.exit(0)));
