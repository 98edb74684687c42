/** Benchmark gateway: labelgate on a temporary config that routes /api/rest_j/v1/… to one upstream. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Gateway } from '../../core/gateway.js';
import { createLogger } from '../../core/logger.js';

const upstream = new URL(process.argv[2]!);
const extraYaml = process.argv[3] ?? '';
const dir = mkdtempSync(path.join(tmpdir(), 'labelgate-bench-'));
const file = path.join(dir, 'gateway.yaml');
writeFileSync(file, `server: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
labels: { file: ./labels.json }
registry:
  static:
    - { app: linkis-ps-publicservice, instances: ["${upstream.host}"] }
security: { passThrough: ["^/api/"] }
log: { level: warn }
${extraYaml}
`);
const gateway = await Gateway.start({ configFile: file, watch: false, logger: createLogger('warn') });
process.stdout.write(`READY ${gateway.url}\n`);
process.on('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
