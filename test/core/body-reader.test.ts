/** Bodies over body.maxBytes: refused with 413 without being read, and the connection closed cleanly. */
import net from 'node:net';
import { Readable } from 'node:stream';
import t from 'tap';
import { SUBMIT, JSON_TYPE, startEntranceGateway } from '../helpers/bodies.js';
import { parseRawResponse } from '../helpers/http.js';

const LIMIT = '1MiB';
const UPLOAD = 256 * 1024 * 1024;

interface Upload {
  /** Bytes the client managed to hand to its socket before the answer came. */
  readonly sent: number;
  readonly answer: string;
  readonly error: string | undefined;
}

/**
 * Uploads up to 256 MiB on a raw socket, as fast as the gateway takes it, until the answer
 * arrives; then stops sending and closes once the gateway has closed its side.
 */
function upload(port: number, chunked: boolean): Promise<Upload> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const piece = Buffer.alloc(64 * 1024, 'x');
    const frame = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
    let sent = 0;
    let answer = '';
    let error: string | undefined;
    const pump = () => {
      while (answer === '' && sent < UPLOAD) {
        sent += piece.length;
        if (!socket.write(frame)) return void socket.once('drain', pump);
      }
    };
    socket.on('connect', () => {
      const framing = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${UPLOAD}`;
      socket.write(`POST ${SUBMIT} HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`);
      pump();
    });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => socket.end());
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
    socket.on('close', () => resolve({ sent, answer, error }));
  });
}

for (const chunked of [false, true]) {
  const framing = chunked ? 'a chunked body that grows past' : 'a Content-Length over';
  t.test(`${framing} body.maxBytes gets a 413 without the upload being read, then the connection closes cleanly`, async (t) => {
    const { gw, tagged, plain } = await startEntranceGateway(t, `{ maxBytes: ${LIMIT}, workers: 1, workerThreshold: 4KiB }`);
    const { sent, answer, error } = await upload(Number(new URL(gw.gateway.url).port), chunked);
    const response = parseRawResponse(answer);
    t.equal(response.status, 413);
    t.equal(response.headers.connection, 'close');
    t.match(JSON.parse(response.body), { status: 1, data: { code: 'LG_ERR_BODY_TOO_LARGE' } });
    t.equal(error, undefined, 'no reset: the client read the whole answer and saw the gateway close');
    // What the client hands its socket includes what the two socket buffers hold (up to 36 MiB).
    t.ok(sent < UPLOAD / 4, `the client stopped after ${sent} of ${UPLOAD} bytes`);
    t.equal(tagged.received.length + plain.received.length, 0, 'nothing was forwarded');
  });
}

t.test('a client that writes its whole 24 MiB body before reading gets the 413, not a reset', async (t) => {
  const { gw, tagged, plain } = await startEntranceGateway(t, `{ maxBytes: ${LIMIT} }`);
  const body = Buffer.alloc(24 * 1024 * 1024, 'x');
  const { answer, error, flushed } = await new Promise<{ answer: string; error: string | undefined; flushed: boolean }>((resolve) => {
    const socket = net.connect(Number(new URL(gw.gateway.url).port), '127.0.0.1');
    let answer = '';
    let error: string | undefined;
    let flushed = false;
    socket.on('connect', () => {
      socket.write(`POST ${SUBMIT} HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body, () => (flushed = true));
    });
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => socket.end());
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
    socket.on('close', () => resolve({ answer, error, flushed }));
  });
  t.equal(error, undefined, 'no reset while the rest of the body was handed over');
  t.ok(flushed, 'the whole body left the client');
  const response = parseRawResponse(answer);
  t.equal(response.status, 413);
  t.match(JSON.parse(response.body), { status: 1, data: { code: 'LG_ERR_BODY_TOO_LARGE' } });
  t.equal(tagged.received.length + plain.received.length, 0, 'nothing was forwarded');
});

t.test('an HTTP client sending a body over the limit reads the 413', async (t) => {
  const { gw, submit } = await startEntranceGateway(t, `{ maxBytes: ${LIMIT} }`);
  const whole = await submit(Buffer.alloc(5 * 1024 * 1024, 'x'));
  t.equal(whole.status, 413);
  t.equal(whole.headers.connection, 'close');
  async function* chunks() {
    for (let i = 0; i < 80; i++) yield Buffer.alloc(64 * 1024, 'y');
  }
  const streamed = await gw.request(SUBMIT, { method: 'POST', headers: JSON_TYPE, body: Readable.from(chunks()) });
  t.equal(streamed.status, 413);
  t.equal(streamed.json().data.code, 'LG_ERR_BODY_TOO_LARGE');
});

t.test('a body of exactly body.maxBytes is accepted', async (t) => {
  const { submit } = await startEntranceGateway(t, '{ maxBytes: 64KiB }');
  const body = JSON.stringify({ labels: { route: 'et1' }, pad: '' });
  const exact = body.replace('"pad":""', `"pad":"${'z'.repeat(64 * 1024 - body.length)}"`);
  t.equal(Buffer.byteLength(exact), 64 * 1024);
  t.equal((await submit(exact)).json().upstream, 'tagged');
  t.equal((await submit(exact.replace('"pad":"', '"pad":"z'))).status, 413, 'one byte more is refused');
});
