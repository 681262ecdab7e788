// The dashboard: asks for an API key once (sessionStorage, this tab only), lists exports with
// filters, and shows one export's steps, Platform ids, runs and error, kept live by reading
// GET /exports/:id/events with fetch (EventSource cannot send the Authorization header); and the
// pipelines with their schedules.
// Everything is rendered with textContent: no API value is ever parsed as HTML.
/* global document, window, location */
import { isActive, renderPipeline } from './pipeline-page.js';
import { renderSchedules } from './schedules-page.js';

const keyStorage = 'aepj.apiKey';
// An ended recurring export's stream closes too; a paused one's stays open (runs started before
// the pause still finish, and a resume shows).
const finalStatuses = ['succeeded', 'failed', 'cancelled', 'timed_out', 'ended'];
/** The worker's steps in order (src/exports/worker/export-model.ts), as people read them. */
const steps = [
  ['governance', 'Check dataset labels'],
  ['base_connection', 'Base connection'],
  ['source_connection', 'Source connection'],
  ['target_connection', 'Target connection'],
  ['flow', 'Dataflow'],
  ['verify_flow', 'Verify dataflow'],
  ['trigger_run', 'Trigger run'],
  ['poll_run', 'Wait for the run'],
  ['list_files', 'List the landed files'],
  ['watch_runs', 'Watch scheduled runs'],
  ['done', 'Done'],
];
const stepIndex = new Map(steps.map(([id], i) => [id, i]));

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el;
};

const state = {
  key: sessionStorage.getItem(keyStorage) ?? '',
  /** Aborts the live stream or list refresh of the view being left. */
  viewAbort: new AbortController(),
  listCursor: null,
  /** Pages of the list on screen; only a single first page is refreshed by itself. */
  listPages: 0,
  /** When this tab first saw each step of the export on screen. */
  stepSeen: new Map(),
  /** The export on screen (pause / resume act on it). */
  exportId: null,
};

class Unauthorized extends Error {}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { accept: 'application/json', authorization: `Bearer ${state.key}`, ...options.headers },
  });
  if (response.status === 401) throw new Unauthorized('The API key was refused.');
  return response;
}

async function apiJson(path, signal) {
  const response = await api(path, { signal });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(body?.detail ?? `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

// ---------- small DOM helpers ----------

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function showMessage(id, text) {
  const node = $(id);
  node.textContent = text ?? '';
  node.hidden = !text;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
const shortId = (id) => id.slice(0, 8);
const orDash = (value) => (value === null || value === undefined || value === '' ? '—' : String(value));

function badge(status) {
  return el('span', status.replaceAll('_', ' '), `badge ${status}`);
}

function fillPairs(dl, pairs) {
  dl.replaceChildren();
  for (const [label, value, testId] of pairs) {
    const dt = el('dt', label);
    const dd = el('dd', orDash(value), 'mono');
    if (testId) dd.dataset.field = testId;
    dl.append(dt, dd);
  }
}

// ---------- views ----------

function switchView(name) {
  state.viewAbort.abort();
  state.viewAbort = new AbortController();
  for (const view of ['login-view', 'exports-view', 'export-view', 'pipelines-view', 'pipeline-view']) show(view, view === name);
  const signedIn = name !== 'login-view';
  show('tabs', signedIn);
  show('sign-out', signedIn);
  $('tab-exports').classList.toggle('active', name === 'exports-view' || name === 'export-view');
  $('tab-pipelines').classList.toggle('active', name === 'pipelines-view' || name === 'pipeline-view');
  return state.viewAbort.signal;
}

function signOut(message) {
  sessionStorage.removeItem(keyStorage);
  state.key = '';
  switchView('login-view');
  showMessage('login-error', message);
}

function handleError(error, messageId) {
  if (error?.name === 'AbortError') return;
  if (error instanceof Unauthorized) return signOut(error.message);
  showMessage(messageId, error?.message ?? String(error));
}

// Exports list

function listQuery(cursor) {
  const form = new window.FormData($('filters'));
  const query = new URLSearchParams({ limit: '25' });
  for (const name of ['status', 'datasetId', 'destinationId']) {
    const value = String(form.get(name) ?? '').trim();
    if (value) query.set(name, value);
  }
  const after = String(form.get('createdAfter') ?? '');
  if (after) query.set('createdAfter', new Date(`${after}T00:00:00`).toISOString());
  if (cursor) query.set('cursor', cursor);
  return query;
}

function exportRow(item) {
  const row = el('tr');
  row.dataset.exportId = item.id;
  const idCell = el('td');
  idCell.append(el('code', shortId(item.id)));
  const statusCell = el('td');
  statusCell.append(badge(item.status));
  row.append(
    idCell,
    statusCell,
    el('td', item.step),
    el('td', item.datasetId, 'mono'),
    el('td', item.path, 'mono'),
    el('td', `${item.format} / ${item.compression}`),
    el('td', when(item.createdAt)),
    el('td', when(item.updatedAt)),
  );
  row.addEventListener('click', () => {
    location.hash = `#/exports/${item.id}`;
  });
  return row;
}

async function loadExports(signal, append) {
  showMessage('exports-error', '');
  const body = await apiJson(`/exports?${listQuery(append ? state.listCursor : null)}`, signal);
  const tbody = $('exports-table').querySelector('tbody');
  if (!append) tbody.replaceChildren();
  for (const item of body.items) tbody.append(exportRow(item));
  state.listCursor = body.nextCursor;
  state.listPages = append ? state.listPages + 1 : 1;
  show('load-more', Boolean(body.nextCursor));
  show('exports-empty', tbody.children.length === 0);
}

function openExportsList() {
  const signal = switchView('exports-view');
  loadExports(signal, false).catch((e) => handleError(e, 'exports-error'));
  // Keep the first page fresh while it is on screen (not once more pages were loaded).
  const timer = window.setInterval(() => {
    if (state.listPages <= 1) loadExports(signal, false).catch((e) => handleError(e, 'exports-error'));
  }, 5000);
  signal.addEventListener('abort', () => window.clearInterval(timer));
}

// One export

function stepStates(view) {
  const current = view.step === 'pending' ? -1 : (stepIndex.get(view.step) ?? -1);
  const failedAt = view.error?.step ? (stepIndex.get(view.error.step) ?? current) : current;
  return steps.map((_step, i) => {
    if (view.status === 'succeeded' || view.status === 'ended') return 'done';
    if (view.status === 'failed' || view.status === 'timed_out') return i < failedAt ? 'done' : i === failedAt ? 'failed' : 'skipped';
    if (view.status === 'cancelled') return i < current ? 'done' : i === current ? 'cancelled' : 'skipped';
    if (view.status === 'queued' && current < 0) return 'pending';
    return i < current ? 'done' : i === current ? 'current' : 'pending';
  });
}

function renderTimeline(view) {
  if (!state.stepSeen.has(view.step)) state.stepSeen.set(view.step, view.updatedAt);
  const states = stepStates(view);
  const list = $('timeline');
  list.replaceChildren();
  const queued = el('li', 'Accepted', 'done');
  queued.append(el('span', clock(view.createdAt), 'when'));
  list.append(queued);
  steps.forEach(([id, label], i) => {
    const item = el('li', label, states[i]);
    item.dataset.step = id;
    item.dataset.state = states[i];
    const seen = id === 'done' && view.finishedAt ? view.finishedAt : state.stepSeen.get(id);
    if (seen && states[i] !== 'pending' && states[i] !== 'skipped') item.append(el('span', clock(seen), 'when'));
    list.append(item);
  });
}

function renderRuns(runs) {
  const tbody = $('runs-table').querySelector('tbody');
  tbody.replaceChildren();
  for (const run of runs) {
    const row = el('tr');
    row.dataset.runId = run.id;
    const stateCell = el('td');
    stateCell.append(badge(run.state));
    const errors = run.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
    const files = el('td', orDash(run.files));
    // The landed files (listed through the destination's storage), one per line on hover.
    if (run.landedFiles.length > 0) files.title = [run.folderUri, ...run.landedFiles.map((f) => f.path)].filter(Boolean).join('\n');
    row.append(
      el('td', shortId(run.id), 'mono'),
      stateCell,
      el('td', orDash(run.platformRunId), 'mono'),
      files,
      el('td', orDash(run.records)),
      el('td', orDash(run.bytes)),
      el('td', when(run.requestedAt)),
      el('td', when(run.startedAt)),
      el('td', when(run.completedAt)),
      el('td', errors || '—', errors ? 'error' : undefined),
    );
    tbody.append(row);
  }
  show('runs-empty', runs.length === 0);
}

function renderExport(view) {
  $('export-id').textContent = view.id;
  const status = $('export-status');
  status.className = `badge ${view.status}`;
  status.textContent = view.status.replaceAll('_', ' ');
  status.dataset.status = view.status;
  renderTimeline(view);
  const schedule =
    typeof view.schedule === 'string'
      ? view.schedule
      : `every ${view.schedule.every} from ${when(view.schedule.startAt)}${view.schedule.endAt ? ` until ${when(view.schedule.endAt)}` : ''} (${view.schedule.exportMode})`;
  fillPairs($('export-details'), [
    ['Status', view.status, 'status'],
    ['Step', view.step, 'step'],
    ['Dataset', view.datasetId, 'datasetId'],
    ['Destination', view.destinationId, 'destinationId'],
    ['Path', view.path, 'path'],
    ['Format', `${view.format} / ${view.compression}`],
    ['Schedule', schedule],
    ['Next run', view.nextRunAt ? when(view.nextRunAt) : null, 'nextRunAt'],
    ['Last run', view.lastRun ? `${view.lastRun.state} ${when(view.lastRun.completedAt ?? view.lastRun.startedAt ?? view.lastRun.requestedAt)}` : null, 'lastRun'],
    ['Attempts', view.attempts],
    ['Created', when(view.createdAt)],
    ['Updated', when(view.updatedAt)],
    ['Finished', view.finishedAt ? when(view.finishedAt) : null],
  ]);
  fillPairs($('platform-ids'), [
    ['Base connection', view.platform.baseConnectionId, 'baseConnectionId'],
    ['Source connection', view.platform.sourceConnectionId, 'sourceConnectionId'],
    ['Target connection', view.platform.targetConnectionId, 'targetConnectionId'],
    ['Dataflow', view.platform.flowId, 'flowId'],
  ]);
  // While the export waits to retry a failed Platform call: what failed, which attempt, when next.
  const retryBox = $('export-last-error');
  retryBox.hidden = !view.lastError;
  if (view.lastError) {
    fillPairs(retryBox.querySelector('dl'), [
      ['Code', view.lastError.code, 'lastErrorCode'],
      ['What happened', view.lastError.message, 'lastErrorMessage'],
      ['Step', view.lastError.step, 'lastErrorStep'],
      ['Platform code', view.lastError.platformCode, 'lastErrorPlatformCode'],
      ['Platform message', view.lastError.platformMessage],
      ['HTTP status', view.lastError.httpStatus],
      ['Attempt', view.lastError.attempt, 'lastErrorAttempt'],
      ['Next try', view.lastError.nextRetryAt ? when(view.lastError.nextRetryAt) : null, 'lastErrorNextRetryAt'],
    ]);
  }
  const errorBox = $('export-error');
  errorBox.hidden = !view.error;
  if (view.error) {
    fillPairs(errorBox.querySelector('dl'), [
      ['Code', view.error.code, 'errorCode'],
      ['What happened', view.error.message, 'errorMessage'],
      ['Step', view.error.step],
      ['Platform code', view.error.platformCode],
      ['Platform message', view.error.platformMessage],
    ]);
  }
  // A recurring export past setup can be paused (its flow disabled) and resumed.
  const watching = view.step === 'watch_runs' && ['active', 'running', 'waiting_for_platform'].includes(view.status);
  $('export-pause').hidden = !watching;
  $('export-resume').hidden = view.status !== 'paused';
  show('export-actions', watching || view.status === 'paused');
  renderRuns(view.runs);
}

const exportActionQuestions = {
  pause: (id) => `Pause the schedule of export ${id}? Its dataflow is disabled: no new run starts until it is resumed.`,
  resume: (id) => `Resume the schedule of export ${id}? Its dataflow is enabled again and runs follow the schedule.`,
};

async function exportAction(action) {
  const id = state.exportId;
  if (!id || !window.confirm(exportActionQuestions[action](id))) return;
  try {
    const response = await api(`/exports/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(body?.detail ?? `${response.status}`);
    openExport(id);
  } catch (error) {
    handleError(error, 'export-error-load');
  }
}

function setLive(text, on) {
  const live = $('live-indicator');
  live.textContent = text;
  live.classList.toggle('on', on);
  live.dataset.live = text;
}

/** Reads one event stream until it ends; calls onEvent(name, data) for each event. */
async function readEvents(path, signal, onEvent) {
  const response = await api(path, { signal, headers: { accept: 'text/event-stream' } });
  if (!response.ok || !response.body) {
    const body = await response.json().catch(() => null);
    const error = new Error(body?.detail ?? `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(name, JSON.parse(data.join('\n')));
    }
  }
}

async function followExport(id, signal) {
  let final = false;
  while (!signal.aborted && !final) {
    setLive('connecting', false);
    try {
      await readEvents(`/exports/${encodeURIComponent(id)}/events`, signal, (name, data) => {
        if (name === 'export') {
          showMessage('export-error-load', '');
          setLive('live', true);
          renderExport(data);
          final = finalStatuses.includes(data.status);
        } else if (name === 'gone') {
          final = true;
          showMessage('export-error-load', 'This export no longer exists.');
        }
      });
    } catch (error) {
      if (error?.status === 404) {
        showMessage('export-error-load', `Export ${id} was not found.`);
        final = true;
      } else if (error?.name !== 'AbortError') {
        handleError(error, 'export-error-load');
        if (error instanceof Unauthorized) return;
      }
    }
    // The stream ended without a final status (restart, proxy timeout): reconnect shortly.
    if (!final && !signal.aborted) {
      setLive('reconnecting', false);
      await new Promise((resolve) => window.setTimeout(resolve, 1000));
    }
  }
  if (final) setLive('final', false);
}

function openExport(id) {
  const signal = switchView('export-view');
  state.stepSeen = new Map();
  state.exportId = id;
  $('export-id').textContent = id;
  $('timeline').replaceChildren();
  followExport(id, signal).catch((e) => handleError(e, 'export-error-load'));
}

// Pipelines: the tab stays a placeholder until the API offers GET /pipelines. The schedules
// below the list are read again every 5 s while the tab is on screen, so new occurrences show.

async function loadSchedules(signal) {
  const response = await api('/pipeline-schedules?limit=25', { signal });
  // A server without pipeline schedules: the section says there are none.
  const body = response.status === 404 ? { items: [] } : await response.json().catch(() => null);
  if (!response.ok && response.status !== 404) throw new Error(body?.detail ?? `${response.status}`);
  const scheduleAction = (action) => (schedule) =>
    api(`/pipeline-schedules/${encodeURIComponent(schedule.id)}/${action}`, { method: 'POST', signal })
      .then(async (answer) => {
        if (!answer.ok) throw new Error((await answer.json().catch(() => null))?.detail ?? `${answer.status}`);
        return loadSchedules(signal);
      })
      .catch((e) => handleError(e, 'schedules-error'));
  const tbody = $('schedules-table').querySelector('tbody');
  renderSchedules(tbody, body.items, { confirm: (text) => window.confirm(text), pause: scheduleAction('pause'), resume: scheduleAction('resume') });
  show('schedules-table', tbody.children.length > 0);
  show('schedules-empty', tbody.children.length === 0);
  showMessage('schedules-error', '');
}

function openPipelines() {
  const signal = switchView('pipelines-view');
  showMessage('pipelines-error', '');
  const load = () => {
    void loadPipelines(signal);
    loadSchedules(signal).catch((e) => handleError(e, 'schedules-error'));
  };
  load();
  // New runs (a schedule's among them) show without reloading the tab.
  const timer = window.setInterval(load, 5000);
  signal.addEventListener('abort', () => window.clearInterval(timer));
}

async function loadPipelines(signal) {
  try {
    const response = await api('/pipelines?limit=25', { signal });
    if (response.status === 404) {
      showMessage('pipelines-empty', 'No pipelines yet: this server does not offer the pipelines API.');
      show('pipelines-table', false);
      return;
    }
    const body = await response.json();
    if (!response.ok) throw new Error(body?.detail ?? `${response.status}`);
    const tbody = $('pipelines-table').querySelector('tbody');
    tbody.replaceChildren();
    for (const item of body.items ?? []) {
      const statusCell = el('td');
      if (item.status) statusCell.append(badge(item.status));
      const row = el('tr');
      // The current step's failed call it waits to retry, if any.
      const retrying = item.lastError
        ? `${item.lastError.platformCode ?? item.lastError.code}: ${item.lastError.message} (attempt ${item.lastError.attempt}, next ${when(item.lastError.nextRetryAt)})`
        : null;
      const retryCell = el('td', orDash(retrying), retrying ? 'retrying' : undefined);
      retryCell.dataset.field = 'lastError';
      row.dataset.id = String(item.id);
      row.addEventListener('click', () => (location.hash = `#/pipelines/${item.id}`));
      row.append(el('td', shortId(String(item.id)), 'mono'), statusCell, el('td', orDash(item.currentStep)), retryCell, el('td', when(item.createdAt)), el('td', when(item.updatedAt)));
      tbody.append(row);
    }
    show('pipelines-table', true);
    showMessage('pipelines-empty', tbody.children.length === 0 ? 'No pipelines yet.' : '');
    showMessage('pipelines-error', '');
  } catch (error) {
    handleError(error, 'pipelines-error');
  }
}

// One pipeline: no event stream yet, so the page reads it again every 2 s while it is active.

async function followPipeline(id, signal) {
  const post = async (action) => {
    const response = await api(`/pipelines/${id}/${action}`, { method: 'POST', signal });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(body?.detail ?? `${response.status}`);
    return body;
  };
  const actions = {
    confirm: (text) => window.confirm(text),
    rerun: () => post('rerun').then((created) => (location.hash = `#/pipelines/${created.id}`)).catch((e) => handleError(e, 'pipeline-error')),
    cancel: () => post('cancel').then((view) => renderPipeline($('pipeline-root'), view, actions)).catch((e) => handleError(e, 'pipeline-error')),
    retry: () => post('retry').then(() => followPipeline(id, signal)).catch((e) => handleError(e, 'pipeline-error')),
  };
  for (;;) {
    const view = await apiJson(`/pipelines/${id}`, signal);
    renderPipeline($('pipeline-root'), view, actions);
    if (!isActive(view)) return;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if (signal.aborted) return;
  }
}

function openPipeline(id) {
  const signal = switchView('pipeline-view');
  showMessage('pipeline-error', '');
  $('pipeline-root').replaceChildren();
  followPipeline(id, signal).catch((e) => handleError(e, 'pipeline-error'));
}

// ---------- routing and start ----------

function route() {
  if (!state.key) {
    switchView('login-view');
    return;
  }
  const hash = location.hash || '#/exports';
  const match = /^#\/exports\/([0-9a-f-]{36})$/i.exec(hash);
  const pipeline = /^#\/pipelines\/([0-9a-f-]{36})$/i.exec(hash);
  if (match) openExport(match[1]);
  else if (pipeline) openPipeline(pipeline[1]);
  else if (hash === '#/pipelines') openPipelines();
  else openExportsList();
}

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = String($('api-key').value).trim();
  if (!key) return;
  state.key = key;
  // Check the key before keeping it.
  api('/exports?limit=1')
    .then((response) => {
      if (!response.ok) throw new Error(`The API answered ${response.status}.`);
      sessionStorage.setItem(keyStorage, key);
      $('api-key').value = '';
      showMessage('login-error', '');
      route();
    })
    .catch((error) => signOut(error.message));
});

$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  state.listCursor = null;
  loadExports(state.viewAbort.signal, false).catch((e) => handleError(e, 'exports-error'));
});

$('load-more').addEventListener('click', () => {
  loadExports(state.viewAbort.signal, true).catch((e) => handleError(e, 'exports-error'));
});

$('sign-out').addEventListener('click', () => signOut(''));
$('export-pause').addEventListener('click', () => void exportAction('pause'));
$('export-resume').addEventListener('click', () => void exportAction('resume'));
window.addEventListener('hashchange', route);
route();
