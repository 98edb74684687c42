/**
 * Child process: runs one gateway from a config file (argv[2]) and prints `READY <url>` once it
 * listens, so a benchmark can pin it to a core of its own. SIGTERM closes it.
 */
import { Gateway } from '../../core/gateway.js';
import { createLogger } from '../../core/logger.js';

const gateway = await Gateway.start({ configFile: process.argv[2]!, watch: false, logger: createLogger('warn') });
process.stdout.write(`READY ${gateway.url}\n`);
process.once('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});
