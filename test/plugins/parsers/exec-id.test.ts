import t from 'tap';
import { decodeExecId, encodeExecId } from '../../../plugins/parsers/exec-id.js';
import { GatewayError } from '../../../core/errors.js';

t.test('a well-formed exec ID decodes to its application, instance and short id', async (t) => {
  t.same(decodeExecId('exec_id018014linkis-cg-entrancelocalhost:9205IDE_peacewong_shell_0'), {
    application: 'linkis-cg-entrance', instance: 'localhost:9205', instances: ['localhost:9205'], shortId: 'IDE_peacewong_shell_0',
  });
  t.equal(decodeExecId('exec_id018016linkis-cg-entrance10.244.0.13:9104LINKISCLI_hadoop_shell_0').instance, '10.244.0.13:9104', 'the helm README sample');
});

t.test('the inconsistent example of the service-isolation doc decodes faithfully, as Linkis does', async (t) => {
  const decoded = decodeExecId('exec_id018030linkis-cg-entrancelocalhost:9205IDE_peacewong_shell_0');
  t.equal(decoded.application, 'linkis-cg-entrance');
  t.equal(decoded.instance, 'localhost:9205IDE');
  t.same(decoded.instances, ['localhost:9205IDE', 'peacewong', 'sh']);
  t.equal(decoded.shortId, 'ell_0');
});

t.test('encode and decode are inverse', async (t) => {
  const id = encodeExecId('linkis-cg-entrance', '127.0.0.1:9104', 'IDE_alice_shell_7');
  t.equal(id, 'exec_id018014linkis-cg-entrance127.0.0.1:9104IDE_alice_shell_7');
  t.equal(decodeExecId(id).instance, '127.0.0.1:9104');
});

t.test('the legacy format decodes creator, application and instance', async (t) => {
  const decoded = decodeExecId('031814IDElinkis-cg-entrancelocalhost:9205shell_0');
  t.equal(decoded.creator, 'IDE');
  t.equal(decoded.application, 'linkis-cg-entrance');
  t.equal(decoded.instance, 'localhost:9205');
  t.equal(decoded.shortId, 'shell_0');
});

t.test('ids that cannot be decoded are coded errors, not crashes', async (t) => {
  for (const id of ['12345', 'exec_id', 'exec_idxyz', 'exec_id018099linkis-cg-entrance', 'abc']) {
    let code: string | undefined;
    try {
      decodeExecId(id);
    } catch (error) {
      code = error instanceof GatewayError ? error.code : 'not a GatewayError';
    }
    t.equal(code, 'LG_ERR_PARSE_BAD_EXEC_ID', id);
  }
});
