/** Benchmark upstream: a plain node http server answering a small JSON body. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({ method: '/api/rest_j/v1/jobhistory/list', status: 0, message: 'ok', data: { tasks: [1, 2, 3] } });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
