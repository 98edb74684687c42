/** The package export `labelgate/client` (design §3.6) resolves to the SDK; bad configs are refused up front. */
import t from 'tap';

t.test('labelgate/client exports GatewayClient, which refuses a config that cannot work with LG_ERR_CLIENT_CONFIG (10901)', async (t) => {
  const { GatewayClient } = await import('labelgate/client');
  const auth = { user: 'hadoop', password: 'x' };
  t.throws(() => new GatewayClient({ gateways: [], auth }), { code: 'LG_ERR_CLIENT_CONFIG', linkisCode: 10901 });
  t.throws(() => new GatewayClient({ gateways: 'http://127.0.0.1:9001', auth, version: 'latest' }), { code: 'LG_ERR_CLIENT_CONFIG' });
  t.throws(() => new GatewayClient({ gateways: 'http://127.0.0.1:9001', auth: { tokenUser: 'alice', tokenCode: '' } }), { code: 'LG_ERR_CLIENT_CONFIG' });
  const client = new GatewayClient({ gateways: 'http://127.0.0.1:9001/, 127.0.0.1:9011', auth });
  t.same(client.gateways.map((gateway) => gateway.url), ['http://127.0.0.1:9001', 'http://127.0.0.1:9011'], 'comma-separated, with or without a scheme');
  await client.close();
});
