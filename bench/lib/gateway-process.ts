/**
 * Child process: a labelgate gateway for benchmarks, started from the config file in argv[2]
 * (logging as its `log` section says).
 * Prints `READY {"gateway": url, "admin": url}` (one token, for startNode) once both listeners
 * accept connections, and closes cleanly on SIGTERM.
 */
import { Gateway } from '../../core/gateway.js';

const gateway = await Gateway.start({ configFile: process.argv[2]!, watch: false });
process.stdout.write(`READY ${JSON.stringify({ gateway: gateway.url, admin: gateway.adminUrl })}\n`);
process.once('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});
