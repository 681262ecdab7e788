// Human output of the CLI (JSON output is the API's own body, printed as it is).
import type { Export, ExportSummary } from '../client/api-client.js';

const dash = (value: string | number | null | undefined) => (value === null || value === undefined || value === '' ? '-' : String(value));

/** A waiting job's last failed call, on one line: what failed, which attempt, when it is tried again. */
export function describeLastError(e: NonNullable<Export['lastError']>): string {
  const platform = e.platformCode ? ` [${e.platformCode}${e.httpStatus ? ` HTTP ${e.httpStatus}` : ''}]` : e.httpStatus ? ` [HTTP ${e.httpStatus}]` : '';
  return `retrying ${dash(e.step)}: ${e.code}${platform} ${e.message} (attempt ${e.attempt}, next try ${dash(e.nextRetryAt)})`;
}

export function formatExport(view: Export): string {
  const lines = [
    `export       ${view.id}`,
    `status       ${view.status} (step ${view.step})`,
    `dataset      ${view.datasetId}`,
    `destination  ${view.destinationId}`,
    `path         ${view.path} (${view.format}, ${view.compression})`,
    `schedule     ${typeof view.schedule === 'string' ? view.schedule : `every ${view.schedule.every} from ${view.schedule.startAt} until ${dash(view.schedule.endAt)} (${view.schedule.exportMode})`}`,
    `next run     ${dash(view.nextRunAt)}`,
    `last run     ${view.lastRun ? `${view.lastRun.state} ${dash(view.lastRun.completedAt ?? view.lastRun.startedAt)}` : '-'}`,
    `created      ${view.createdAt}`,
    `finished     ${dash(view.finishedAt)}`,
    `platform     base ${dash(view.platform.baseConnectionId)}`,
    `             source ${dash(view.platform.sourceConnectionId)}`,
    `             target ${dash(view.platform.targetConnectionId)}`,
    `             flow ${dash(view.platform.flowId)}`,
  ];
  for (const run of view.runs) {
    lines.push(`run          ${run.id} ${run.state} platform ${dash(run.platformRunId)} files ${dash(run.files)} records ${dash(run.records)} bytes ${dash(run.bytes)}`);
    if (run.folderUri) lines.push(`             folder ${run.folderUri} (${run.landedFiles.length} files)`);
    for (const error of run.errors) lines.push(`             error ${dash(error.code)}: ${dash(error.message)}`);
  }
  if (view.lastError) lines.push(`last error   ${describeLastError(view.lastError)}`);
  if (view.error) {
    lines.push(`error        ${view.error.code}: ${view.error.message}`);
    if (view.error.platformCode || view.error.platformMessage) lines.push(`             Platform ${dash(view.error.platformCode)}: ${dash(view.error.platformMessage)}`);
  }
  return lines.join('\n');
}

/** Columns padded to their widest cell, the header first. */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function formatExportTable(items: ExportSummary[]): string {
  return formatTable(['ID', 'STATUS', 'STEP', 'DATASET', 'PATH', 'CREATED'], items.map((e) => [e.id, e.status, e.step, e.datasetId, e.path, e.createdAt]));
}
