// `pipelines create|get|list|wait|cancel|retry`: thin layers over the typed client. Pipelines have
// no event stream yet, so `wait` polls GET /pipelines/{id}. Returns the exit code: 0 done (or the
// pipeline succeeded), 1 the pipeline ended failed or cancelled.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { dataOrThrow, type ApiClient, type components } from '../client/api-client.js';
import { CliUsageError } from './cli-config.js';
import { print, type CommandIo } from './export-commands.js';
import { describeLastError } from './output.js';
import { collectPages } from './pages.js';

type Pipeline = components['schemas']['Pipeline'];
type PipelineSummary = components['schemas']['PipelineSummary'];
type CreatePipeline = components['schemas']['CreatePipelineInput'];

export interface PipelineFlags {
  json: boolean;
  file?: string | undefined;
  'idempotency-key'?: string | undefined;
  status?: string | undefined;
  limit?: string | undefined;
  all: boolean;
  wait: boolean;
  timeout?: string | undefined;
  'poll-ms'?: string | undefined;
}

const finalStatuses: readonly Pipeline['status'][] = ['succeeded', 'failed', 'cancelled'];

export class PipelineWaitTimeoutError extends Error {
  override name = 'PipelineWaitTimeoutError';
}

function describeStep(step: Pipeline['steps'][number]): string {
  const took = step.durationMs === null ? '' : ` ${(step.durationMs / 1000).toFixed(1)}s`;
  const error = step.error ? `  ${step.error.code}: ${step.error.message}` : step.lastError ? `  ${describeLastError(step.lastError)}` : '';
  return `  ${String(step.index + 1).padStart(2)}. ${step.name.padEnd(16)} ${step.kind.padEnd(9)} ${step.state}${took}${error}`;
}

export function formatPipeline(p: Pipeline): string {
  const lines = [`pipeline ${p.id} "${p.name}": ${p.status}${p.currentStep ? ` (step ${p.currentStep})` : ''}`, ...p.steps.map(describeStep)];
  if (p.error) lines.push(`error: ${p.error.code}: ${p.error.message}`);
  return lines.join('\n');
}

function formatPipelineTable(items: PipelineSummary[]): string {
  return items.map((p) => `${p.id}  ${p.status.padEnd(9)}  ${(p.currentStep ?? '-').padEnd(16)}  ${p.createdAt}  ${p.name}`).join('\n');
}

function idArg(args: string[], usage: string): string {
  const id = args[0];
  if (!id) throw new CliUsageError(`usage: ${usage}`);
  return id;
}

async function waitForPipeline(client: ApiClient, id: string, flags: PipelineFlags, io: CommandIo): Promise<number> {
  const pollMs = flags['poll-ms'] === undefined ? 2000 : Number(flags['poll-ms']);
  if (!Number.isFinite(pollMs) || pollMs < 50) throw new CliUsageError('--poll-ms is a number of milliseconds (at least 50)');
  const timeoutSeconds = flags.timeout === undefined ? undefined : Number(flags.timeout);
  if (timeoutSeconds !== undefined && (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)) throw new CliUsageError('--timeout is a number of seconds');
  const deadline = timeoutSeconds === undefined ? Infinity : Date.now() + timeoutSeconds * 1000;
  let lastLine = '';
  for (;;) {
    const view = dataOrThrow(await client.GET('/pipelines/{id}', { params: { path: { id } } }));
    const done = view.steps.filter((s) => s.state === 'succeeded').length;
    const retrying = view.lastError ? ` · ${describeLastError(view.lastError)}` : '';
    const line = `${view.status} · step ${view.currentStep ?? '-'} · ${done}/${view.steps.length} steps done${retrying}`;
    if (line !== lastLine) io.stderr.write(`${line}\n`);
    lastLine = line;
    if (finalStatuses.includes(view.status)) {
      print(io, flags, view, () => formatPipeline(view));
      return view.status === 'succeeded' ? 0 : 1;
    }
    if (Date.now() >= deadline) throw new PipelineWaitTimeoutError(`pipeline ${id} did not finish within ${flags.timeout} s (it goes on; wait again later)`);
    await sleep(pollMs);
  }
}

export async function runPipelineCommand(client: ApiClient, action: string | undefined, args: string[], flags: PipelineFlags, io: CommandIo): Promise<number> {
  switch (action ?? '') {
    case 'create': {
      if (!flags.file) throw new CliUsageError('pipelines create needs --file <definition.json> (the body of POST /pipelines)');
      let body: CreatePipeline;
      try {
        body = JSON.parse(await readFile(flags.file, 'utf8')) as CreatePipeline;
      } catch (error) {
        throw new CliUsageError(`cannot read ${flags.file} as JSON: ${error instanceof Error ? error.message : String(error)}`);
      }
      const created = dataOrThrow(
        await client.POST('/pipelines', {
          body,
          ...(flags['idempotency-key'] ? { headers: { 'idempotency-key': flags['idempotency-key'] } } : {}),
        }),
      );
      if (!flags.wait) {
        print(io, flags, created, () => `accepted pipeline ${created.id} (${created.status})`);
        return 0;
      }
      io.stderr.write(`accepted pipeline ${created.id}\n`);
      return waitForPipeline(client, created.id, flags, io);
    }
    case 'get': {
      const view = dataOrThrow(await client.GET('/pipelines/{id}', { params: { path: { id: idArg(args, 'pipelines get <id>') } } }));
      print(io, flags, view, () => formatPipeline(view));
      return 0;
    }
    case 'list': {
      const items = await collectPages(flags.all, async (cursor) => {
        const query = {
          ...(flags.status ? { status: flags.status } : {}),
          ...(flags.limit ? { limit: Number(flags.limit) } : {}),
          ...(cursor ? { cursor } : {}),
        };
        return dataOrThrow(await client.GET('/pipelines', { params: { query } }));
      });
      print(io, flags, items, () => (items.length ? formatPipelineTable(items) : 'no pipelines'));
      return 0;
    }
    case 'wait':
      return waitForPipeline(client, idArg(args, 'pipelines wait <id> [--timeout <seconds>]'), flags, io);
    case 'cancel': {
      const view = dataOrThrow(await client.POST('/pipelines/{id}/cancel', { params: { path: { id: idArg(args, 'pipelines cancel <id>') } } }));
      print(io, flags, view, () => formatPipeline(view));
      return 0;
    }
    case 'retry': {
      const view = dataOrThrow(await client.POST('/pipelines/{id}/retry', { params: { path: { id: idArg(args, 'pipelines retry <id>') } } }));
      print(io, flags, view, () => formatPipeline(view));
      return 0;
    }
    default:
      throw new CliUsageError(`unknown pipelines command ${action || '(none)'}; expected create, get, list, wait, cancel or retry`);
  }
}
