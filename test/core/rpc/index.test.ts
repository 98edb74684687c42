/** The package export `labelgate/rpc` (design §3.6) resolves to the SDK. */
import t from 'tap';

t.test('labelgate/rpc exports the message registry, the node, the receiver plugin and the error classes', async (t) => {
  const rpc = await import('labelgate/rpc');
  for (const name of ['MessageRegistry', 'RpcNode', 'Sender', 'rpcReceiver', 'ServiceError', 'RemoteError', 'GatewayError', 'StaticDiscovery', 'EurekaDiscovery', 'RPC_PATHS']) {
    t.ok(name in rpc, name);
  }
  t.same(rpc.RPC_PATHS, { receive: '/api/rest_j/v1/rpc/receive', receiveAndReply: '/api/rest_j/v1/rpc/receiveAndReply', replyInMills: '/api/rest_j/v1/rpc/replyInMills' });
  t.same(rpc.DEFAULT_RETRY, { attempts: 3, baseMs: 100, factor: 1.5, maxMs: 2000 });
});

t.test('a type definition with a bad name, a duplicate name or a schema ajv refuses is LG_ERR_RPC_BAD_DEFINITION', async (t) => {
  const { MessageRegistry } = await import('labelgate/rpc');
  const messages = new MessageRegistry();
  messages.define('a.B', { schema: {} });
  t.throws(() => messages.define('a.B', { schema: {} }), { code: 'LG_ERR_RPC_BAD_DEFINITION' });
  t.throws(() => messages.define('not a name', { schema: {} }), { code: 'LG_ERR_RPC_BAD_DEFINITION' });
  t.throws(() => messages.define('a.C', { schema: { type: 'nope' } }), { code: 'LG_ERR_RPC_BAD_DEFINITION' });
  t.throws(() => messages.define('a.D', { schema: {}, retryable: { attempts: 0 } }), { code: 'LG_ERR_RPC_BAD_DEFINITION' });
  t.throws(() => messages.define('a.E', { schema: {}, broadcast: true, cacheable: true }), { code: 'LG_ERR_RPC_BAD_DEFINITION' });
});
