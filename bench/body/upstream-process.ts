/**
 * Child process: the backend for the body benchmark. Reads every request body to the end (as a
 * real entrance would) and answers with a small JSON document. Prints `READY <url>`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const ANSWER = JSON.stringify({ method: '/api/rest_j/v1/entrance/submit', status: 0, message: 'OK', data: { execID: 'exec_id018' } });

const server = http.createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(ANSWER) });
    res.end(ANSWER);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
