// `pipeline-schedules create|get|list|update|pause|resume|delete`: thin layers over the typed
// client for /pipeline-schedules. The API checks everything (exactly one of --pipeline and
// --template, of --cron and --every-hours; the time zone; the parameters) and its 400 names the
// field; the CLI only turns flags into the body. Returns the exit code (0; errors throw).
import { ApiError, dataOrThrow, type ApiClient, type components } from '../client/api-client.js';
import { CliUsageError } from './cli-config.js';
import { print, type CommandIo } from './export-commands.js';
import { formatTable } from './output.js';
import { collectPages } from './pages.js';

type Schedule = components['schemas']['PipelineSchedule'];
type CreateSchedule = components['schemas']['CreatePipelineScheduleInput'];
type UpdateSchedule = components['schemas']['UpdatePipelineScheduleInput'];
type Parameters = NonNullable<CreateSchedule['parameters']>;

export interface ScheduleFlags {
  json: boolean;
  name?: string | undefined;
  pipeline?: string | undefined;
  template?: string | undefined;
  params?: string | undefined;
  cron?: string | undefined;
  'time-zone'?: string | undefined;
  'every-hours'?: string | undefined;
  'start-at'?: string | undefined;
  'end-at'?: string | undefined;
  'idempotency-key'?: string | undefined;
  limit?: string | undefined;
  all: boolean;
}

const dash = (value: string | number | null | undefined) => (value === null || value === undefined || value === '' ? '-' : String(value));

const cadenceOf = (s: Schedule) => (s.cron ? `cron "${s.cron}" (${s.timeZone ?? 'UTC'})` : `every ${dash(s.everyHours)} h`);

export function formatSchedule(s: Schedule): string {
  const lines = [
    `schedule     ${s.id} "${s.name}"`,
    `status       ${s.status}`,
    `runs         ${s.pipelineId ? `pipeline ${s.pipelineId}` : `template ${dash(s.templateId)}${s.parameters ? ` with ${JSON.stringify(s.parameters)}` : ''}`}`,
    `cadence      ${cadenceOf(s)} from ${s.startAt} until ${dash(s.endAt)}`,
    `next run     ${dash(s.nextRunAt)}`,
  ];
  for (const o of s.recentOccurrences) lines.push(`occurrence   ${o.instant} ${o.outcome}${o.pipelineId ? ` pipeline ${o.pipelineId}` : ''}${o.detail ? `  ${o.detail}` : ''}`);
  return lines.join('\n');
}

function formatScheduleTable(items: Schedule[]): string {
  return formatTable(['ID', 'STATUS', 'CADENCE', 'NEXT RUN', 'NAME'], items.map((s) => [s.id, s.status, cadenceOf(s), dash(s.nextRunAt), s.name]));
}

function idArg(args: string[], command: string): string {
  const id = args[0];
  if (!id) throw new CliUsageError(`usage: pipeline-schedules ${command} <id>`);
  return id;
}

function parametersOf(flags: ScheduleFlags): Parameters | undefined {
  if (flags.params === undefined) return undefined;
  try {
    return JSON.parse(flags.params) as Parameters;
  } catch (error) {
    throw new CliUsageError(`--params is a JSON object of the template's parameters: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function everyHoursOf(flags: ScheduleFlags): number | undefined {
  if (flags['every-hours'] === undefined) return undefined;
  const hours = Number(flags['every-hours']);
  if (!Number.isInteger(hours)) throw new CliUsageError('--every-hours is a whole number of hours');
  return hours;
}

/** The body's cadence and window fields that were given, and only those. */
function cadenceFields(flags: ScheduleFlags): Pick<CreateSchedule, 'cron' | 'timeZone' | 'everyHours' | 'parameters'> {
  const everyHours = everyHoursOf(flags);
  const parameters = parametersOf(flags);
  return {
    ...(flags.cron !== undefined ? { cron: flags.cron } : {}),
    ...(flags['time-zone'] !== undefined ? { timeZone: flags['time-zone'] } : {}),
    ...(everyHours !== undefined ? { everyHours } : {}),
    ...(parameters !== undefined ? { parameters } : {}),
  };
}

export async function runScheduleCommand(client: ApiClient, action: string | undefined, args: string[], flags: ScheduleFlags, io: CommandIo): Promise<number> {
  const show = (view: Schedule) => print(io, flags, view, () => formatSchedule(view));
  const path = (command: string) => ({ params: { path: { id: idArg(args, command) } } });
  switch (action ?? '') {
    case 'create': {
      if (!flags.name) throw new CliUsageError('pipeline-schedules create needs --name');
      const body: CreateSchedule = {
        name: flags.name,
        ...(flags.pipeline !== undefined ? { pipelineId: flags.pipeline } : {}),
        ...(flags.template !== undefined ? { templateId: flags.template } : {}),
        ...cadenceFields(flags),
        ...(flags['start-at'] !== undefined ? { startAt: flags['start-at'] } : {}),
        ...(flags['end-at'] !== undefined ? { endAt: flags['end-at'] } : {}),
      };
      const headers = flags['idempotency-key'] ? { headers: { 'idempotency-key': flags['idempotency-key'] } } : {};
      show(dataOrThrow(await client.POST('/pipeline-schedules', { body, ...headers })));
      return 0;
    }
    case 'get':
      show(dataOrThrow(await client.GET('/pipeline-schedules/{id}', path('get'))));
      return 0;
    case 'list': {
      const items = await collectPages(flags.all, async (cursor) =>
        dataOrThrow(await client.GET('/pipeline-schedules', { params: { query: { ...(flags.limit ? { limit: Number(flags.limit) } : {}), ...(cursor ? { cursor } : {}) } } })),
      );
      print(io, flags, items, () => (items.length ? formatScheduleTable(items) : 'no pipeline schedules'));
      return 0;
    }
    case 'update': {
      // --end-at none removes the end.
      const endAt = flags['end-at'] === undefined ? {} : { endAt: flags['end-at'] === 'none' ? null : flags['end-at'] };
      const body: UpdateSchedule = { ...(flags.name !== undefined ? { name: flags.name } : {}), ...cadenceFields(flags), ...endAt };
      if (Object.keys(body).length === 0) throw new CliUsageError('pipeline-schedules update needs something to change: --name, --cron, --time-zone, --every-hours, --end-at or --params');
      show(dataOrThrow(await client.PATCH('/pipeline-schedules/{id}', { ...path('update <id> [changes]'), body })));
      return 0;
    }
    case 'pause':
      show(dataOrThrow(await client.POST('/pipeline-schedules/{id}/pause', path('pause'))));
      return 0;
    case 'resume':
      show(dataOrThrow(await client.POST('/pipeline-schedules/{id}/resume', path('resume'))));
      return 0;
    case 'delete': {
      const id = idArg(args, 'delete');
      const result = await client.DELETE('/pipeline-schedules/{id}', { params: { path: { id } } });
      if (!result.response.ok) throw new ApiError(result.response.status, result.error);
      print(io, flags, { id, deleted: true }, () => `deleted pipeline schedule ${id}`);
      return 0;
    }
    default:
      throw new CliUsageError(`unknown pipeline-schedules command ${action || '(none)'}; expected create, get, list, update, pause, resume or delete`);
  }
}
