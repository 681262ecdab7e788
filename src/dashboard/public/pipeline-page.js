// One pipeline on a page: its steps as a timeline (state, duration, outputs, Platform and ML ids,
// errors), the model's AUC on training and hold-out rows as an SVG chart, the audience size and
// the activation's files, and rerun / cancel buttons that ask first. Rendered with textContent and
// DOM calls only: no API value is ever parsed as HTML.
/* global document */

const svgNs = 'http://www.w3.org/2000/svg';
const activeStatuses = ['queued', 'running', 'waiting'];

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

const show = (value) => (value === null || value === undefined || value === '' ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value));

export function duration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  return seconds < 90 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

function pairs(entries, className) {
  const dl = el('dl', undefined, className);
  for (const [label, value] of entries) dl.append(el('dt', label), el('dd', show(value), 'mono'));
  return dl;
}

/** Horizontal bars for AUC on training and hold-out rows, with 0.5 (a coin toss) marked. */
export function aucChart(train, holdout) {
  const width = 360;
  const rows = [
    ['training rows', train],
    ['hold-out rows', holdout],
  ];
  const chart = svg('svg', { viewBox: `0 0 ${width} 96`, width, height: 96, role: 'img', 'aria-label': 'Model AUC', class: 'chart', 'data-chart': 'auc' });
  const left = 100;
  const span = width - left - 50;
  rows.forEach(([label, value], i) => {
    const y = 12 + i * 34;
    chart.append(svg('text', { x: 0, y: y + 15, class: 'axis' }, label));
    chart.append(svg('rect', { x: left, y, width: span, height: 22, class: 'track' }));
    if (typeof value === 'number') {
      chart.append(svg('rect', { x: left, y, width: Math.max(0, Math.min(1, value)) * span, height: 22, class: 'bar', 'data-value': value.toFixed(3) }));
      chart.append(svg('text', { x: left + span + 6, y: y + 15, class: 'value' }, value.toFixed(3)));
    } else {
      chart.append(svg('text', { x: left + span + 6, y: y + 15, class: 'value' }, 'n/a'));
    }
  });
  const half = left + span / 2;
  chart.append(svg('line', { x1: half, x2: half, y1: 6, y2: 80, class: 'mark' }));
  chart.append(svg('text', { x: half - 12, y: 92, class: 'axis' }, '0.5'));
  return chart;
}

/** An empty 360×140 chart over propensity [0, 1] with its ticks and the top value; returns where to draw. */
function propensityFrame(label, name, top) {
  const width = 360;
  const height = 140;
  const frame = { left: 30, top: 10, width: width - 40, height: height - 30 };
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label, class: 'chart', 'data-chart': name });
  for (const tick of [0, 0.5, 1]) chart.append(svg('text', { x: frame.left + tick * frame.width - 6, y: height - 4, class: 'axis' }, tick));
  chart.append(svg('text', { x: 0, y: 18, class: 'axis' }, top));
  return { chart, ...frame };
}

/** Propensity histogram: one bar per bin of [0, 1], the audience band (rule) shaded. */
export function histogramChart(counts, band) {
  const max = Math.max(1, ...counts);
  const f = propensityFrame('Score histogram', 'histogram', max);
  if (band) f.chart.append(svg('rect', { x: f.left + band.min * f.width, y: f.top, width: (band.max - band.min) * f.width, height: f.height, class: 'band' }));
  const barW = f.width / counts.length;
  counts.forEach((count, i) => {
    const h = (count / max) * f.height;
    f.chart.append(svg('rect', { x: f.left + i * barW + 1, y: f.top + f.height - h, width: Math.max(1, barW - 2), height: h, class: 'bar', 'data-count': count }));
  });
  return f.chart;
}

/** Reach against propensity: how many profiles score at least each bin's lower edge. */
export function reachChart(counts) {
  const reach = counts.map((_, i) => counts.slice(i).reduce((a, b) => a + b, 0));
  const total = Math.max(1, reach[0] ?? 0);
  const f = propensityFrame('Reach against propensity', 'reach', total);
  const points = reach.map((r, i) => `${(f.left + (i / counts.length) * f.width).toFixed(1)},${(f.top + f.height - (r / total) * f.height).toFixed(1)}`);
  f.chart.append(svg('polyline', { points: points.join(' '), class: 'line', 'data-reach': reach.join(',') }));
  return f.chart;
}

function stepItem(step, isCurrent) {
  const item = el('li', undefined, step.state === 'succeeded' ? 'done' : step.state === 'failed' ? 'failed' : step.state === 'cancelled' ? 'cancelled' : isCurrent ? 'current' : '');
  item.dataset.step = step.name;
  const head = el('div', undefined, 'step-head');
  head.append(el('strong', step.name), el('span', ` ${step.kind} · `, 'muted'), el('span', step.state.replaceAll('_', ' '), `badge ${step.state}`));
  if (step.durationMs !== null && step.durationMs !== undefined) head.append(el('span', ` ${duration(step.durationMs)}`, 'muted duration'));
  item.append(head);
  // Ids first (Platform, Query Service, ML), then the outputs later steps use; a value in both once.
  const details = Object.entries(step.externalIds ?? {}).filter(([name]) => name !== 'scoreHistogram');
  for (const [name, value] of Object.entries(step.outputs ?? {})) {
    if (name === 'scoreHistogram') continue; // drawn as a chart
    if (!details.some(([seen, v]) => seen === name && JSON.stringify(v) === JSON.stringify(value))) details.push([name, value]);
  }
  if (step.generation > 0) details.push(['generation', step.generation]);
  if (details.length) item.append(pairs(details, 'pairs step-details'));
  if (step.error) {
    const box = el('div', undefined, 'error-box step-error');
    box.append(pairs([
      ['error', step.error.code],
      ['message', step.error.message],
      ['Platform', step.error.platformCode ? `${step.error.platformCode}: ${step.error.platformMessage ?? ''}` : null],
    ], 'pairs'));
    item.append(box);
  }
  return item;
}

/**
 * Renders `view` (GET /pipelines/:id) into `root`. `actions.rerun()` and `actions.cancel()` are
 * called after the user confirmed (`actions.confirm(text)`).
 */
export function renderPipeline(root, view, actions) {
  root.replaceChildren();
  const title = el('h2', undefined);
  title.append(el('span', `${view.name} `), el('code', view.id.slice(0, 8)), el('span', ' '), el('span', view.status, `badge ${view.status}`));
  root.append(title);

  const buttons = el('p', undefined, 'actions');
  const active = activeStatuses.includes(view.status);
  const rerun = el('button', 'Run again');
  rerun.id = 'pipeline-rerun';
  rerun.disabled = active;
  rerun.title = active ? 'It is still running' : 'A new pipeline with the same definition';
  rerun.addEventListener('click', () => {
    if (actions.confirm(`Run "${view.name}" again from the start, as a new pipeline?`)) void actions.rerun();
  });
  const cancel = el('button', 'Cancel');
  cancel.id = 'pipeline-cancel';
  cancel.disabled = !active;
  cancel.addEventListener('click', () => {
    if (actions.confirm(`Cancel "${view.name}"? The running step's query, ML run or export is stopped.`)) void actions.cancel();
  });
  buttons.append(rerun, cancel);
  if (view.status === 'failed') {
    const retry = el('button', 'Retry from the failed step');
    retry.id = 'pipeline-retry';
    retry.addEventListener('click', () => {
      if (actions.confirm(`Retry "${view.name}" from its failed step? Earlier steps keep their outputs.`)) void actions.retry();
    });
    buttons.append(retry);
  }
  root.append(buttons);

  const grid = el('div', undefined, 'grid pipeline-grid');
  const timelineBox = el('div');
  timelineBox.append(el('h3', 'Steps'));
  const timeline = el('ol', undefined, 'timeline pipeline-timeline');
  for (const step of view.steps) timeline.append(stepItem(step, step.name === view.currentStep && active));
  timelineBox.append(timeline);

  const side = el('div');
  side.append(el('h3', 'Pipeline'));
  side.append(pairs([
    ['created', view.createdAt],
    ['started', view.startedAt],
    ['finished', view.finishedAt],
    ['attempts', view.attempts],
    ['callback', view.callbackUrl],
  ], 'pairs'));
  if (view.error) {
    const box = el('div', undefined, 'error-box');
    box.append(el('h3', 'Error'), pairs([['step', view.error.step], ['error', view.error.code], ['message', view.error.message]], 'pairs'));
    side.append(box);
  }

  const ml = view.steps.find((s) => s.kind === 'ml' && s.state === 'succeeded');
  if (ml) {
    side.append(el('h3', 'Model'));
    side.append(aucChart(ml.outputs.aucTrain, ml.outputs.auc));
    side.append(el('p', `${show(ml.outputs.scoredRows)} profiles scored by run ${show(ml.outputs.mlRunId)}.`, 'muted'));
  }
  const ingest = view.steps.find((s) => s.kind === 'ingest' && Array.isArray(s.outputs.scoreHistogram));
  const audienceStep = view.steps.find((s) => s.kind === 'audience');
  const rule = view.definition?.steps?.find((s) => s.name === audienceStep?.name)?.rule;
  if (ingest) {
    side.append(el('h3', 'Scores'));
    side.append(histogramChart(ingest.outputs.scoreHistogram, rule && typeof rule.min === 'number' ? rule : null));
    side.append(el('p', 'Profiles per propensity (the audience band shaded).', 'muted'));
    side.append(el('h3', 'Reach against propensity'));
    side.append(reachChart(ingest.outputs.scoreHistogram));
    side.append(el('p', 'Profiles scoring at least each propensity.', 'muted'));
  }
  const audience = view.steps.find((s) => s.kind === 'audience' && s.state === 'succeeded');
  if (audience) {
    side.append(el('h3', 'Audience'));
    const size = el('p', undefined, 'audience');
    size.dataset.field = 'audience-size';
    size.append(el('strong', show(audience.outputs.audienceSize)), el('span', ` of ${show(audience.outputs.totalProfiles)} profiles`));
    side.append(size);
  }
  const activation = view.steps.find((s) => s.kind === 'activate' && s.state === 'succeeded');
  if (activation) {
    side.append(el('h3', 'Activation'));
    side.append(pairs([
      ['files', activation.outputs.files],
      ['records', activation.outputs.records],
      ['flow', activation.outputs.flowId],
      ['Platform run', activation.outputs.platformRunId],
    ], 'pairs activation'));
  }
  grid.append(timelineBox, side);
  root.append(grid);
}

export function isActive(view) {
  return activeStatuses.includes(view.status);
}
