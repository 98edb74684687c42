import t from 'tap';
import fc from 'fast-check';
import { createDecipheriv, pbkdf2Sync } from 'node:crypto';
import { TicketCipher } from '../../../core/session/ticket-cipher.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

t.test('a sealed ticket opens to the same user and login time', async (t) => {
  const cipher = new TicketCipher(SECRET);
  const ticket = cipher.seal('hadoop', 1_700_000_000_123);
  t.same(cipher.open(ticket), { user: 'hadoop', loginMillis: 1_700_000_000_123 });
  t.not(cipher.seal('hadoop', 1), cipher.seal('hadoop', 1), 'a fresh IV every time');
});

t.test('tickets use Linkis TicketCipher v2: 0x02, 12-byte IV, AES-256-GCM of "bfs_<user>,<millis>", PBKDF2 key', async (t) => {
  const ticket = new TicketCipher(SECRET).seal('alice,with,commas', 42);
  const bytes = Buffer.from(ticket, 'base64');
  t.equal(bytes[0], 0x02);
  const key = pbkdf2Sync(SECRET, 'linkis-ticket-v2', 10_000, 32, 'sha256');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 13));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  const plain = Buffer.concat([decipher.update(bytes.subarray(13, bytes.length - 16)), decipher.final()]).toString();
  t.equal(plain, 'bfs_alice,with,commas,42', 'what a Linkis backend with the same key decrypts');
  t.same(new TicketCipher(SECRET).open(ticket), { user: 'alice,with,commas', loginMillis: 42 }, 'the user is what precedes the last comma');
});

t.test('a ticket sealed with another secret, or altered in any byte, does not open', async (t) => {
  const cipher = new TicketCipher(SECRET);
  const ticket = cipher.seal('hadoop', 1);
  t.equal(new TicketCipher(`${SECRET}-other`).open(ticket), undefined);
  const bytes = Buffer.from(ticket, 'base64');
  for (let i = 0; i < bytes.length; i++) {
    const altered = Buffer.from(bytes);
    altered[i]! ^= 0x01;
    t.equal(cipher.open(altered.toString('base64')), undefined, `byte ${i}`);
  }
});

t.test('malformed tickets are refused without throwing', async (t) => {
  const cipher = new TicketCipher(SECRET);
  for (const bad of ['', 'x', '%%%', 'AAAA', 'Ag==', '\u0000', 'a'.repeat(5000), Buffer.alloc(40, 2).toString('base64')]) {
    t.equal(cipher.open(bad), undefined, JSON.stringify(bad.slice(0, 20)));
  }
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (input) => cipher.open(input) === undefined), { numRuns: 2000 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => cipher.open(Buffer.from(bytes).toString('base64')) === undefined), { numRuns: 2000 });
});
