import t from 'tap';
import { DEFAULT_COST, hashPassword, parseHash, verifyPassword } from '../../core/password-hash.js';

const CHEAP = { logN: 4, r: 1, p: 1 };

t.test('a hash verifies its password and no other', async (t) => {
  const hash = parseHash(await hashPassword('s3cret pässword', CHEAP));
  t.equal(await verifyPassword('s3cret pässword', hash), true);
  t.equal(await verifyPassword('s3cret password', hash), false);
  t.equal(await verifyPassword('', hash), false);
});

t.test('the default cost is OWASP\'s scrypt recommendation and travels in the hash', async (t) => {
  t.same(DEFAULT_COST, { logN: 15, r: 8, p: 3 });
  t.match(await hashPassword('x', CHEAP), /^\$scrypt\$ln=4,r=1,p=1\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/);
  t.not(await hashPassword('x', CHEAP), await hashPassword('x', CHEAP), 'a random salt each time');
});

t.test('malformed hashes and costs beyond the bounds are refused without echoing the hash', async (t) => {
  for (const bad of ['', 'plaintext', '$2b$10$abcdefghijklmnopqrstuv', '$scrypt$ln=15,r=8,p=3$short$short', '$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=']) {
    t.throws(() => parseHash(bad), { message: /passwordHash/ }, bad);
    try {
      parseHash(bad);
    } catch (error) {
      if (bad.length > 8) t.notMatch((error as Error).message, bad);
    }
  }
  await t.rejects(hashPassword('x', { logN: 25, r: 8, p: 1 }));
});
