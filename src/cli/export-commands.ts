// `exports create|get|list|wait|update|pause|resume`: each a thin layer over the typed client. Returns the
// exit code: 0 done (the export succeeded, or a recurring one is active, paused or ended), 1 the
// export ended failed, cancelled or timed_out.
import { dataOrThrow, type ApiClient, type components, type CreateExport, type Export } from '../client/api-client.js';
import { waitForExport } from '../client/wait-for-export.js';
import { CliUsageError } from './cli-config.js';
import { formatExport, formatExportTable } from './output.js';
import { collectPages } from './pages.js';
import { createProgressDisplay } from './progress.js';

type UpdateExport = components['schemas']['UpdateExportInput'];

export interface CommandIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export interface ExportFlags {
  json: boolean;
  dataset?: string | undefined;
  destination?: string | undefined;
  path?: string | undefined;
  format?: string | undefined;
  compression?: string | undefined;
  schedule?: string | undefined;
  'callback-url'?: string | undefined;
  'idempotency-key'?: string | undefined;
  status?: string | undefined;
  limit?: string | undefined;
  all: boolean;
  wait: boolean;
  timeout?: string | undefined;
  'start-at'?: string | undefined;
  'end-at'?: string | undefined;
}

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

function required(flags: ExportFlags, name: 'dataset' | 'destination' | 'path'): string {
  const value = flags[name];
  if (!value) throw new CliUsageError(`exports create needs --${name}`);
  return value;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliUsageError(`--${flag} must be one of ${allowed.join(', ')}`);
}

function scheduleOf(text: string | undefined): CreateExport['schedule'] | undefined {
  if (text === undefined || text === 'on-demand') return text;
  // A recurring schedule as JSON, or just its cadence: --schedule PT6H
  if (/^P/.test(text)) return { every: text as 'PT3H' };
  try {
    return JSON.parse(text) as CreateExport['schedule'];
  } catch {
    throw new CliUsageError('--schedule is "on-demand", a cadence such as PT6H or P1D, or JSON like {"every":"P1D","startAt":"...","exportMode":"FIRST_FULL_THEN_INCREMENTAL"}');
  }
}

/** The body of PATCH /exports/{id}: --schedule (a cadence or JSON of the fields to change), --start-at, --end-at. */
function schedulePatchOf(flags: ExportFlags): UpdateExport['schedule'] {
  let patch: UpdateExport['schedule'] = {};
  if (flags.schedule !== undefined) {
    const parsed = scheduleOf(flags.schedule);
    if (parsed === undefined || parsed === 'on-demand') throw new CliUsageError('exports update --schedule is a cadence such as PT6H or JSON of the fields to change');
    patch = parsed;
  }
  if (flags['start-at'] !== undefined) patch.startAt = flags['start-at'];
  if (flags['end-at'] !== undefined) patch.endAt = flags['end-at'];
  if (Object.keys(patch).length === 0) throw new CliUsageError('exports update needs --schedule, --start-at or --end-at');
  return patch;
}

function timeoutSignal(flags: ExportFlags): AbortSignal | undefined {
  if (flags.timeout === undefined) return undefined;
  const seconds = Number(flags.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliUsageError('--timeout is a number of seconds');
  return AbortSignal.timeout(seconds * 1000);
}

/** Prints the API's JSON with --json, else the human form. */
export function print(io: CommandIo, flags: { json: boolean }, value: unknown, human: () => string): void {
  io.stdout.write(`${flags.json ? JSON.stringify(value, null, 2) : human()}\n`);
}

async function waitAndReport(client: ApiClient, id: string, flags: ExportFlags, io: CommandIo): Promise<number> {
  const signal = timeoutSignal(flags);
  const progress = createProgressDisplay(io.stderr);
  let view: Export;
  try {
    view = await waitForExport(client, id, { onUpdate: (v) => progress.update(v), ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted) throw new WaitTimeoutError(`export ${id} did not finish within ${flags.timeout} s (it goes on; wait again later)`);
    throw error;
  } finally {
    progress.done();
  }
  print(io, flags, view, () => formatExport(view));
  return ['succeeded', 'active', 'paused', 'ended'].includes(view.status) ? 0 : 1;
}

export async function runExportCommand(client: ApiClient, action: string | undefined, args: string[], flags: ExportFlags, io: CommandIo): Promise<number> {
  switch (action ?? '') {
    case 'create': {
      const body: CreateExport = {
        datasetId: required(flags, 'dataset'),
        destinationId: required(flags, 'destination'),
        path: required(flags, 'path'),
        format: oneOf(flags.format, ['parquet', 'json'] as const, 'format') ?? 'parquet',
        compression: oneOf(flags.compression, ['gzip', 'none'] as const, 'compression') ?? 'gzip',
        schedule: scheduleOf(flags.schedule) ?? 'on-demand',
      };
      if (flags['callback-url']) body.callbackUrl = flags['callback-url'];
      const created = dataOrThrow(
        await client.POST('/exports', {
          body,
          ...(flags['idempotency-key'] ? { headers: { 'idempotency-key': flags['idempotency-key'] } } : {}),
        }),
      );
      if (!flags.wait) {
        print(io, flags, created, () => `accepted export ${created.id} (${created.status})`);
        return 0;
      }
      io.stderr.write(`accepted export ${created.id}\n`);
      return waitAndReport(client, created.id, flags, io);
    }
    case 'get': {
      const id = args[0];
      if (!id) throw new CliUsageError('usage: exports get <id>');
      const view = dataOrThrow(await client.GET('/exports/{id}', { params: { path: { id } } }));
      print(io, flags, view, () => formatExport(view));
      return 0;
    }
    case 'list': {
      const items = await collectPages(flags.all, async (cursor) => {
        const query = {
          ...(flags.status ? { status: flags.status } : {}),
          ...(flags.dataset ? { datasetId: flags.dataset } : {}),
          ...(flags.destination ? { destinationId: flags.destination } : {}),
          ...(flags.limit ? { limit: Number(flags.limit) } : {}),
          ...(cursor ? { cursor } : {}),
        };
        return dataOrThrow(await client.GET('/exports', { params: { query } }));
      });
      print(io, flags, items, () => (items.length ? formatExportTable(items) : 'no exports'));
      return 0;
    }
    case 'wait': {
      const id = args[0];
      if (!id) throw new CliUsageError('usage: exports wait <id> [--timeout <seconds>]');
      return waitAndReport(client, id, flags, io);
    }
    case 'pause':
    case 'resume': {
      const id = args[0];
      if (!id) throw new CliUsageError(`usage: exports ${action} <id>`);
      const path = action === 'pause' ? '/exports/{id}/pause' : '/exports/{id}/resume';
      const view = dataOrThrow(await client.POST(path, { params: { path: { id } } }));
      print(io, flags, view, () => formatExport(view));
      return 0;
    }
    case 'update': {
      const id = args[0];
      if (!id) throw new CliUsageError('usage: exports update <id> [--schedule PT6H|<json>] [--start-at <time>] [--end-at <time>]');
      const view = dataOrThrow(await client.PATCH('/exports/{id}', { params: { path: { id } }, body: { schedule: schedulePatchOf(flags) } }));
      print(io, flags, view, () => formatExport(view));
      return 0;
    }
    default:
      throw new CliUsageError(`unknown exports command ${action || '(none)'}; expected create, get, list, wait, update, pause or resume`);
  }
}
