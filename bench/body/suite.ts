/**
 * `npm run bench -- body`: request bodies parsed on the event loop versus in worker threads,
 * in the same run (issue 5).
 *
 *   core 0: the gateway, event loop and body workers alike, in the latency windows: the loop
 *           must win against its own workers (they run at a lower priority), the worst case;
 *           in the throughput runs the gateway may use any core, as deployed
 *   core 1: the backends (entrance, publicservice), the submit load (autocannon), the probes
 *
 * For each mode a probe sends small GETs at a fixed rate through the gateway, alone and while
 * clients POST 1 MB submits at a steady rate, in alternating windows; a second probe sends the
 * same GETs straight to the backend, as a control for what the load does to the machine rather
 * than to the gateway. Reported: the GETs' p99 under load against their p99 alone, the
 * gateway's event-loop delay (p99), and then submit throughput with the clients sending as fast
 * as the gateway takes them. Before all that, the threshold table: what a body of each size
 * costs the event loop inline and through a worker (behind the default `body.workerThreshold`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { runLoad, type LoadResult } from '../lib/load.js';
import { percentile, runProbe, type ProbeResult } from '../lib/probe.js';
import { startNode, type Started } from '../lib/processes.js';
import type { Benchmark, BenchRatio, BenchRow } from '../lib/report.js';
import { submitPayload } from './payload.js';
import { crossover, measureThreshold, type ThresholdRow } from './threshold.js';
import { median } from '../lib/median.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const GATEWAY_CORE = 0;
const CLIENT_CORE = 1;
const WINDOW_SECONDS = 2;
const WINDOWS = 5;
const GET_RATE = 200;
const SUBMIT_BYTES = 1024 * 1024;
/** Submits per second during the latency windows: a third of what one core parses inline. */
const SUBMIT_RATE = 30;
const SUBMIT_CONNECTIONS = 8;
const THROUGHPUT_SECONDS = 3;
/** Throughput runs alternate between the modes, and the median round counts. */
const THROUGHPUT_ROUNDS = 3;
/** In the latency windows the submit load (client and backend) yields core 1 to the probe. */
const BACKGROUND_NICENESS = 19;
const THRESHOLD_SIZES = [1024, 2048, 4096, 8192, 16384, 32768, 65536, 262144, 1048576];

interface Backends {
  readonly entrance: string;
  readonly publicservice: string;
}

interface Mode {
  readonly label: string;
  readonly workers: number;
}

interface ModeResult {
  readonly alone: ProbeResult[];
  readonly loaded: ProbeResult[];
  /** The control probe, straight to the backend. */
  readonly directAlone: ProbeResult[];
  readonly directLoaded: ProbeResult[];
  /** Event-loop delay p99 of each window, milliseconds. */
  readonly aloneDelays: number[];
  readonly loadedDelays: number[];
  /** The steady submit load of the loaded windows. */
  readonly steady: LoadResult[];
}

async function eventLoopP99(gateway: string): Promise<number> {
  const answer = await request(`${gateway}/__bench/eventloop`);
  return ((await answer.body.json()) as { data: { p99: number } }).data.p99;
}

/**
 * Windows alone and under load alternate, so that whatever else the machine does at the time
 * weighs on both alike. Each window gives a p99 and the median window is reported: a stall of
 * the whole machine (other tenants, a noisy neighbour) spoils one window, not the figure.
 */
function startGateway(mode: Mode, backends: Backends, core?: number): Promise<Started> {
  return startNode(path.join(HERE, 'gateway-process.js'), [JSON.stringify({ ...backends, workers: mode.workers })], core);
}

async function runMode(mode: Mode, backends: Backends, submitFile: string): Promise<ModeResult> {
  const gateway = await startGateway(mode, backends, GATEWAY_CORE);
  try {
    const small = { url: `${gateway.url}/api/rest_j/v1/jobhistory/list`, rate: GET_RATE, durationSeconds: WINDOW_SECONDS };
    const direct = { ...small, url: `http://${backends.publicservice}/api/rest_j/v1/jobhistory/list` };
    const submits = { ...submitLoad(gateway.url, submitFile), durationSeconds: WINDOW_SECONDS, overallRate: SUBMIT_RATE };
    await Promise.all([runProbe({ ...small, durationSeconds: 1 }, CLIENT_CORE), runLoad({ ...submits, durationSeconds: 2 }, CLIENT_CORE, BACKGROUND_NICENESS)]); // warm-up
    const result: ModeResult = { alone: [], loaded: [], directAlone: [], directLoaded: [], aloneDelays: [], loadedDelays: [], steady: [] };
    for (let window = 0; window < WINDOWS; window++) {
      await eventLoopP99(gateway.url);
      const [probe, control] = await Promise.all([runProbe(small, CLIENT_CORE), runProbe(direct, CLIENT_CORE)]);
      result.alone.push(probe);
      result.directAlone.push(control);
      result.aloneDelays.push(await eventLoopP99(gateway.url));
      const [loadedProbe, loadedControl, load] = await Promise.all([runProbe(small, CLIENT_CORE), runProbe(direct, CLIENT_CORE), runLoad(submits, CLIENT_CORE, BACKGROUND_NICENESS)]);
      result.loaded.push(loadedProbe);
      result.directLoaded.push(loadedControl);
      result.steady.push(load);
      result.loadedDelays.push(await eventLoopP99(gateway.url));
    }
    return result;
  } finally {
    await gateway.stop();
  }
}

function submitLoad(gateway: string, submitFile: string) {
  return {
    url: `${gateway}/api/rest_j/v1/entrance/submit`, method: 'POST', headers: { 'content-type': 'application/json' },
    bodyFile: submitFile, connections: SUBMIT_CONNECTIONS,
  };
}

/** Submits per second, flat out, with the gateway on any core (workers can parse beside the loop). */
async function flatOut(mode: Mode, backends: Backends, submitFile: string): Promise<LoadResult> {
  const gateway = await startGateway(mode, backends);
  try {
    await runLoad({ ...submitLoad(gateway.url, submitFile), durationSeconds: 1 }, CLIENT_CORE); // warm-up
    return await runLoad({ ...submitLoad(gateway.url, submitFile), durationSeconds: THROUGHPUT_SECONDS }, CLIENT_CORE);
  } finally {
    await gateway.stop();
  }
}

/** The median over windows of each window's p99, in milliseconds. */
function p99ms(results: readonly ProbeResult[]): number {
  return median(results.map((result) => percentile([result], 0.99))) / 1000;
}

function errors(result: ModeResult, flat: readonly LoadResult[]): number {
  const loads = [...result.steady, ...flat];
  return [...result.alone, ...result.loaded].reduce((sum, probe) => sum + probe.errors, 0) + loads.reduce((sum, load) => sum + load.errors + load.non2xx, 0);
}

function thresholdRows(rows: readonly ThresholdRow[]): BenchRow[] {
  return rows.map((row) => ({
    label: `${row.size / 1024} KiB body`,
    values: { 'inline loop µs': row.inlineUs, 'worker loop µs': row.workerLoopUs, 'worker wall µs': row.workerWallUs },
  }));
}

function modeRow(mode: Mode, result: ModeResult, flat: readonly LoadResult[]): BenchRow {
  return {
    label: mode.label,
    values: {
      'GET p99 alone ms': p99ms(result.alone), 'GET p99 loaded ms': p99ms(result.loaded),
      'control p99 alone ms': p99ms(result.directAlone), 'control p99 loaded ms': p99ms(result.directLoaded),
      'loop delay p99 alone ms': median(result.aloneDelays), 'loop delay p99 loaded ms': median(result.loadedDelays),
      '1 MB submits/s flat out': median(flat.map((load) => load.rps)), errors: errors(result, flat),
    },
  };
}

const benchmark: Benchmark = {
  name: 'body',
  description: 'small-GET p99 and event-loop delay while 1 MB JSON submits arrive, body parsing on the event loop vs in workers',
  async run() {
    const loadBefore = loadavg()[0]!;
    const thresholds = await measureThreshold(THRESHOLD_SIZES);
    const dir = await mkdtemp(path.join(tmpdir(), 'labelgate-bench-body-'));
    const submitFile = path.join(dir, 'submit.json');
    await writeFile(submitFile, submitPayload(SUBMIT_BYTES));
    const upstream = (niceness = 0) => startNode(path.join(HERE, 'upstream-process.js'), [], CLIENT_CORE, {}, niceness);
    // The entrance backend of the latency windows is part of the background load; a second one,
    // at normal priority, serves the throughput runs so that it cannot be what limits them.
    const [steadyEntrance, entrance, publicservice] = await Promise.all([upstream(BACKGROUND_NICENESS), upstream(), upstream()]);
    try {
      const host = (started: Started) => new URL(started.url).host;
      const backends = { entrance: host(steadyEntrance), publicservice: host(publicservice) };
      const flatOutBackends = { ...backends, entrance: host(entrance) };
      const modes: Mode[] = [{ label: 'main thread (workers: 0)', workers: 0 }, { label: 'workers (workers: 2)', workers: 2 }];
      const inline = await runMode(modes[0]!, backends, submitFile);
      const workers = await runMode(modes[1]!, backends, submitFile);
      const flat: LoadResult[][] = [[], []];
      for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
        for (const [index, mode] of modes.entries()) flat[index]!.push(await flatOut(mode, flatOutBackends, submitFile));
      }
      const [inlineRate, workersRate] = flat.map((loads) => median(loads.map((load) => load.rps)));
      const ratios: BenchRatio[] = [
        { label: 'workers: GET p99 under 1 MB submits / GET p99 alone', value: p99ms(workers.loaded) / p99ms(workers.alone), goal: '<= 2' },
        { label: 'main thread: GET p99 under 1 MB submits / GET p99 alone', value: p99ms(inline.loaded) / p99ms(inline.alone) },
        { label: 'control, GETs straight to the backend in the workers run: p99 under load / alone', value: p99ms(workers.directLoaded) / p99ms(workers.directAlone) },
        { label: 'GET p99 under 1 MB submits, main thread / workers', value: p99ms(inline.loaded) / p99ms(workers.loaded) },
        { label: 'event-loop delay p99 under load, main thread / workers', value: median(inline.loadedDelays) / median(workers.loadedDelays) },
        { label: '1 MB submit throughput, workers / main thread', value: workersRate! / inlineRate!, goal: '>= 1' },
      ];
      const limit = crossover(thresholds);
      return {
        title: 'Request bodies: event loop vs worker threads',
        rows: [...thresholdRows(thresholds), modeRow(modes[0]!, inline, flat[0]!), modeRow(modes[1]!, workers, flat[1]!)],
        ratios,
        notes: [
          `a worker costs the event loop less than parsing inline from ${limit === undefined ? 'no measured size' : `${limit / 1024} KiB`} up (default body.workerThreshold: 16KiB)`,
          `GETs at ${GET_RATE}/s in ${WINDOWS} windows of ${WINDOW_SECONDS}s alone, alternating with as many under ${SUBMIT_RATE} submits/s of ${SUBMIT_BYTES / 1024} KiB (p99 and loop delay: median window); throughput: ${SUBMIT_CONNECTIONS} connections submitting flat out, ${THROUGHPUT_ROUNDS} alternating rounds of ${THROUGHPUT_SECONDS}s (median)`,
          `latency windows: gateway on core ${GATEWAY_CORE}; throughput: gateway on any core; backends, load and probes on core ${CLIENT_CORE}; the control probe sends the same GETs straight to the backend`,
          `load average ${loadBefore.toFixed(1)} before and ${loadavg()[0]!.toFixed(1)} after, on ${availableParallelism()} cores: work of others on the machine widens every figure`,
        ],
      };
    } finally {
      await Promise.all([steadyEntrance.stop(), entrance.stop(), publicservice.stop()]);
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default benchmark;
