// The labelgate dashboard. Vanilla JS, no build step. Every value from the gateway is written
// with textContent, never as HTML: instance names and metadata come from registrations.
const POLL_MS = 2000;
const TOKEN_KEY = 'labelgate.adminToken';

const state = {
  token: sessionStorage.getItem(TOKEN_KEY) ?? '',
  instances: [],
  previousTraffic: undefined,
};

const $ = (id) => document.getElementById(id);

class AuthRequired extends Error {}

async function api(path, init = {}) {
  const headers = { accept: 'application/json', ...(init.headers ?? {}) };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  const response = await fetch(path, { ...init, headers, cache: 'no-store' });
  if (response.status === 401) throw new AuthRequired();
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message ?? `${response.status} ${response.statusText}`);
  return body;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const cell of cells) tr.append(cell instanceof Node ? cell : element('td', cell));
  return tr;
}

function labelList(labels) {
  const td = element('td');
  for (const [key, value] of Object.entries(labels ?? {})) td.append(element('span', `${key}=${value}`, 'label'));
  return td;
}

function ago(iso) {
  if (!iso) return '—';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 120 ? `${seconds}s ago` : `${Math.round(seconds / 60)}m ago`;
}

function renderConfig(config) {
  $('config-version').textContent = `config v${config.version}, loaded ${new Date(config.loadedAt).toLocaleTimeString()}`;
  const error = config.error;
  $('reload-error').hidden = error === null;
  if (error) {
    // The same report `labelgate check` prints; its caret line needs the <pre> to line up.
    $('reload-error-text').textContent = `${error.report}\n(at ${error.at})`;
  }
}

function renderInstances(data) {
  state.instances = data.instances;
  const body = $('instances').querySelector('tbody');
  body.replaceChildren(...data.instances.map((instance) => row([
    instance.app,
    instance.instance,
    element('td', instance.status, `status-${instance.status}`),
    labelList(instance.labels),
    instance.source,
    instance.source === 'static' ? 'static' : ago(instance.lease?.lastRenewal),
  ])));
  if (data.instances.length === 0) body.append(row([element('td', 'no instances', 'muted')]));
  const orphans = data.orphanLabels ?? [];
  $('orphans').textContent = orphans.length === 0 ? '' : `Labels of instances not registered now: ${orphans.map((o) => `${o.app} ${o.instance} ${JSON.stringify(o.labels)}`).join('; ')}`;
  renderInstanceChoices();
}

function instanceKey(instance) {
  return `${encodeURIComponent(instance.app)}/${encodeURIComponent(instance.instance)}`;
}

function renderInstanceChoices() {
  const select = $('label-instance');
  const keys = state.instances.map(instanceKey);
  const current = [...select.options].map((option) => option.value);
  if (keys.join('\n') === current.join('\n')) return; // keep the operator's selection
  const selected = select.value;
  select.replaceChildren(...state.instances.map((instance) => {
    const option = element('option', `${instance.app}  ${instance.instance}`);
    option.value = instanceKey(instance);
    return option;
  }));
  if (keys.includes(selected)) select.value = selected;
}

function renderTraffic(traffic) {
  const previous = state.previousTraffic;
  state.previousTraffic = traffic;
  const seconds = previous ? (traffic.at - previous.at) / 1000 : 0;
  const before = new Map((previous?.applications ?? []).map((app) => [app.application, app]));
  const body = $('traffic').querySelector('tbody');
  body.replaceChildren(...traffic.applications.map((app) => {
    const last = before.get(app.application);
    const rate = (now, then) => (seconds > 0 && then !== undefined ? ((now - then) / seconds).toFixed(1) : '…');
    return row([
      element('td', app.application || '(not routed)'),
      element('td', rate(app.requests, last?.requests), 'num'),
      element('td', rate(app.errors, last?.errors), 'num'),
      element('td', app.requests, 'num'),
    ]);
  }));
  $('traffic-note').textContent = `${traffic.inflight} in flight, ${traffic.websocketConnections} WebSocket connections${traffic.enabled ? '' : '; metrics.enabled is off, so requests are not counted'}`;
}

async function renderReadiness() {
  const response = await fetch('/readyz', { cache: 'no-store' }).catch(() => undefined);
  const ready = response?.ok === true;
  $('readiness').textContent = ready ? 'ready' : 'not ready';
  $('readiness').className = `pill ${ready ? 'ready' : 'not-ready'}`;
}

async function refresh() {
  try {
    const [config, instances, traffic] = await Promise.all([api('/admin/config'), api('/admin/instances'), api('/admin/traffic')]);
    renderConfig(config);
    renderInstances(instances.data);
    renderTraffic(traffic);
    $('auth-state').textContent = state.token ? 'token accepted' : '';
    $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    $('auth-state').textContent = error instanceof AuthRequired ? 'the admin API needs the admin token' : `cannot reach the admin API: ${error.message}`;
  }
  await renderReadiness();
}

function selectedInstance() {
  return state.instances.find((instance) => instanceKey(instance) === $('label-instance').value);
}

function report(text, failed = false) {
  $('label-result').textContent = text;
  $('label-result').className = failed ? 'failed' : '';
}

/** PUT replaces every operator label of an instance, so the others are sent back unchanged. */
async function changeRoute(route) {
  const instance = selectedInstance();
  if (!instance) return report('choose an instance first', true);
  if (route === undefined && instance.operatorLabels?.route === undefined) return report(`${instance.app} ${instance.instance} has no route label set here`, true);
  const labels = { ...(instance.operatorLabels ?? {}) };
  delete labels.route;
  if (route !== undefined) labels.route = route;
  const path = `/admin/labels/${instanceKey(instance)}`;
  try {
    if (Object.keys(labels).length > 0) {
      await api(path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(labels) });
    } else {
      await api(path, { method: 'DELETE' });
    }
    report(route === undefined ? `route label removed from ${instance.app} ${instance.instance}` : `route=${route} set on ${instance.app} ${instance.instance}`);
  } catch (error) {
    report(error instanceof AuthRequired ? 'the admin token is missing or wrong' : error.message, true);
  }
  await refresh();
}

$('token').value = state.token;
$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  state.token = $('token').value.trim();
  sessionStorage.setItem(TOKEN_KEY, state.token);
  void refresh();
});
$('label-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const route = $('label-route').value.trim();
  if (route === '') return report('enter a route label value', true);
  void changeRoute(route);
});
$('label-remove').addEventListener('click', () => void changeRoute(undefined));

void refresh();
setInterval(() => void refresh(), POLL_MS);
