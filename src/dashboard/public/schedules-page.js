// Pipeline schedules on the Pipelines tab: each schedule's cadence, next instant, its recent
// occurrences (the run each started, linked, or why none was started) and a pause or resume button
// that asks first. Rendered with textContent and DOM calls only: no API value is parsed as HTML.
/* global document */

/** How many of a schedule's recent occurrences the table shows (the API keeps more). */
const shownOccurrences = 5;

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

export function cadenceOf(schedule) {
  const cadence = schedule.cron ? `cron ${schedule.cron} (${schedule.timeZone ?? 'UTC'})` : `every ${schedule.everyHours} h from ${when(schedule.startAt)}`;
  return schedule.endAt ? `${cadence} until ${when(schedule.endAt)}` : cadence;
}

const outcomeText = { started: 'started', skipped_overlap: 'skipped: previous run still going', not_started: 'not started' };

function occurrenceItem(occurrence) {
  const item = el('li', `${when(occurrence.instant)} · ${outcomeText[occurrence.outcome] ?? occurrence.outcome}`);
  item.dataset.outcome = occurrence.outcome;
  item.dataset.instant = occurrence.instant;
  if (occurrence.pipelineId) {
    item.append(' ');
    const link = el('a', occurrence.pipelineId.slice(0, 8), 'mono');
    link.href = `#/pipelines/${occurrence.pipelineId}`;
    link.dataset.pipelineId = occurrence.pipelineId;
    item.append(link);
  }
  if (occurrence.detail) item.title = occurrence.detail;
  return item;
}

/**
 * Fills the schedules table body. actions: { confirm(text) -> boolean, pause(schedule), resume(schedule) }.
 */
export function renderSchedules(tbody, schedules, actions) {
  tbody.replaceChildren();
  for (const schedule of schedules) {
    const row = el('tr');
    row.dataset.scheduleId = schedule.id;
    const statusCell = el('td');
    const status = el('span', schedule.status, `badge ${schedule.status}`);
    status.dataset.status = schedule.status;
    statusCell.append(status);
    const nextCell = el('td', when(schedule.nextRunAt));
    nextCell.dataset.field = 'nextRunAt';
    const recentCell = el('td');
    const recent = el('ul', undefined, 'occurrences');
    for (const occurrence of schedule.recentOccurrences.slice(0, shownOccurrences)) recent.append(occurrenceItem(occurrence));
    if (recent.children.length === 0) recentCell.append(el('span', 'no run yet', 'muted'));
    else recentCell.append(recent);
    const actionCell = el('td');
    const paused = schedule.status === 'paused';
    const button = el('button', paused ? 'Resume' : 'Pause');
    button.type = 'button';
    button.dataset.action = paused ? 'resume' : 'pause';
    button.addEventListener('click', () => {
      const question = paused
        ? `Resume schedule "${schedule.name}"? Its next instant after now runs; instants missed while paused are not caught up.`
        : `Pause schedule "${schedule.name}"? No instant runs until it is resumed; a run already going is not touched.`;
      if (!actions.confirm(question)) return;
      if (paused) actions.resume(schedule);
      else actions.pause(schedule);
    });
    actionCell.append(button);
    row.append(el('td', schedule.name), statusCell, el('td', cadenceOf(schedule)), nextCell, recentCell, actionCell);
    tbody.append(row);
  }
}
