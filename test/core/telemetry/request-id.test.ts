import t from 'tap';
import { isSafeRequestId, requestIdFor } from '../../../core/telemetry/request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

t.test('UUIDs, hex, base64 and dotted or colon-separated ids are accepted as they are', async (t) => {
  for (const id of ['7f9c2ba4-e88f-4c1e-9a6b-0c1d2e3f4a5b', 'a3f1c9e0b2d4', 'dGVzdA+/=', 'web-1.req:42_x~', 'x'.repeat(128)]) {
    t.ok(isSafeRequestId(id), id);
    t.equal(requestIdFor(id), id);
  }
});

t.test('an absent, repeated, overlong or unsafe id is replaced by a new UUID', async (t) => {
  const unsafe = [undefined, '', 'x'.repeat(129), 'has space', 'quote"d', 'semi;colon', 'ünï', '<script>', ['a', 'b'], 'a\tb'];
  for (const header of unsafe) {
    const id = requestIdFor(header);
    t.match(id, UUID, JSON.stringify(header));
  }
  t.not(requestIdFor(undefined), requestIdFor(undefined), 'each generated id is new');
});
