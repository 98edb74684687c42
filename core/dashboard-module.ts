/**
 * The dashboard at the admin listener's `/`: one static HTML page, a stylesheet and a vanilla
 * JS file (dashboard/ in the package, no framework, no build step), read once at start. The
 * page holds no data: it asks for the admin token and calls /admin/config, /admin/instances,
 * /admin/traffic and /admin/labels with it as a Bearer token, like any other client.
 *
 * The headers keep the token page safe: a strict CSP (no inline script, no foreign origin),
 * no framing (clickjacking of the label form), no referrer.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_ASSETS } from './admin-server.js';
import type { GatewayModule } from './modules.js';

/** dist/core/ → the package root's dashboard/. */
const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url));

const FILES = [
  { url: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { url: `${DASHBOARD_ASSETS}dashboard.js`, file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  { url: `${DASHBOARD_ASSETS}dashboard.css`, file: 'dashboard.css', type: 'text/css; charset=utf-8' },
];

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export function dashboardModule(): GatewayModule {
  return {
    name: 'dashboard',
    setup(context) {
      const files = FILES.map((entry) => ({ ...entry, body: readFileSync(`${DASHBOARD_DIR}${entry.file}`) }));
      context.adminModules.push((app) => {
        for (const { url, type, body } of files) {
          app.get(url, async (_request, reply) => reply.headers({ ...SECURITY_HEADERS, 'content-type': type }).send(body));
        }
      });
    },
  };
}
