/** Child process: runs one autocannon load and prints its summary as JSON. */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]!) as {
  url: string; connections?: number; durationSeconds?: number; method?: string;
  headers?: Record<string, string>; body?: string; bodyFile?: string; pipelining?: number; overallRate?: number;
};

const result = await autocannon({
  url: options.url,
  connections: options.connections ?? 50,
  duration: options.durationSeconds ?? 10,
  method: (options.method ?? 'GET') as 'GET',
  ...(options.headers ? { headers: options.headers } : {}),
  ...(options.body ? { body: options.body } : {}),
  ...(options.bodyFile ? { body: readFileSync(options.bodyFile) } : {}),
  ...(options.overallRate ? { overallRate: options.overallRate } : {}),
  pipelining: options.pipelining ?? 1,
});

process.stdout.write(JSON.stringify({
  requests: result.requests.total,
  rps: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  errors: result.errors + result.timeouts,
  non2xx: result.non2xx,
}));
