#!/usr/bin/env node
// aepj: the command-line client of the API, for people and CI jobs.
//   aepj exports create --dataset <id> --destination <id> --path <folder> [--format parquet|json]
//        [--compression gzip|none] [--schedule on-demand|PT6H|<json>] [--callback-url <url>]
//        [--idempotency-key <key>] [--wait [--timeout <s>]]
//   aepj exports get <id> | list [--status a,b] [--dataset <id>] [--destination <id>] [--limit n] [--all]
//   aepj exports wait <id> [--timeout <s>] | update <id> [--schedule …] [--start-at <t>] [--end-at <t>]
//        | pause <id> | resume <id>
//   aepj pipelines create --file <definition.json> [--wait] | get <id> | list | wait <id> | cancel <id> | retry <id>
//   aepj pipeline-schedules create --name <n> (--pipeline <id> | --template <id> [--params <json>])
//        (--cron <pattern> [--time-zone <tz>] | --every-hours <n>) [--start-at <t>] [--end-at <t>]
//   aepj pipeline-schedules get <id> | list | update <id> [changes] | pause <id> | resume <id> | delete <id>
//   aepj destinations create --file <destination.json> | get <id> | list | delete <id>
//        | update <id> [--name <n>] [--credentials-file <credentials.json>]
// Common: --url (default $AEPJ_URL, then the URL a local `npm start` wrote to data/local-api-url,
// then http://127.0.0.1:$PORT or :3000), --key (default $AEPJ_API_KEY, then data/local-api-key), --json (print the API's JSON). Exit codes: 0 success, 1 the export ended
// failed/cancelled/timed_out (a pipeline failed/cancelled), 2 usage, 3 API or network error, 4 --timeout reached.
import { parseArgs } from 'node:util';
import { ApiError, createApiClient } from '../client/api-client.js';
import { ExportGoneError } from '../client/wait-for-export.js';
import { isMain } from '../runtime/is-main.js';
import { CliUsageError, resolveConnection } from './cli-config.js';
import { runExportCommand, WaitTimeoutError, type CommandIo } from './export-commands.js';
import { PipelineWaitTimeoutError, runPipelineCommand } from './pipeline-commands.js';
import { runDestinationCommand } from './destination-commands.js';
import { runScheduleCommand } from './schedule-commands.js';

export const exitCodes = { ok: 0, exportUnsuccessful: 1, usage: 2, api: 3, timeout: 4 } as const;

const usage = `usage: aepj <exports|pipelines|pipeline-schedules|destinations> <command> [options]
  exports create --dataset <id> --destination <id> --path <folder> [--format parquet|json]
                 [--compression gzip|none] [--schedule on-demand|PT6H|<json>] [--callback-url <url>]
                 [--idempotency-key <key>] [--wait [--timeout <seconds>]]
  exports get <id>
  exports list [--status s1,s2] [--dataset <id>] [--destination <id>] [--limit <n>] [--all]
  exports wait <id> [--timeout <seconds>]
  exports update <id> [--schedule PT6H|<json>] [--start-at <time>] [--end-at <time>]
                                            (a recurring export's schedule; a later --end-at
                                            makes an ended export active again)
  exports pause <id> | resume <id>          (a recurring export: disable / enable its flow)
  pipelines create --file <definition.json> [--idempotency-key <key>] [--wait [--timeout <seconds>]]
  pipelines get <id> | list [--status s] [--limit <n>] [--all] | wait <id> [--timeout <seconds>] | cancel <id> | retry <id>
  pipeline-schedules create --name <name> (--pipeline <id> | --template <id> [--params <json>])
                 (--cron '<m h dom mon dow>' [--time-zone <iana>] | --every-hours <n>)
                 [--start-at <iso time>] [--end-at <iso time>] [--idempotency-key <key>]
  pipeline-schedules get <id> | list [--limit <n>] [--all] | pause <id> | resume <id> | delete <id>
  pipeline-schedules update <id> [--name <name>] [--cron <pattern>] [--time-zone <iana>]
                 [--every-hours <n>] [--end-at <iso time>|none] [--params <json>]
  destinations create --file <destination.json> | get <id> | list [--limit <n>] [--all] | delete <id>
  destinations update <id> [--name <name>] [--credentials-file <credentials.json>]
                 (rotates the credentials at the Platform; a destination in use cannot be deleted)
options: --url <api url>  --key <api key>  --json  --help
  --url and --key default to AEPJ_URL and AEPJ_API_KEY, then to what a local \`npm start\` wrote
  under data/ (its URL and the local tenant's key)`;

const options = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  dataset: { type: 'string' },
  destination: { type: 'string' },
  path: { type: 'string' },
  format: { type: 'string' },
  compression: { type: 'string' },
  schedule: { type: 'string' },
  'callback-url': { type: 'string' },
  'idempotency-key': { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  all: { type: 'boolean', default: false },
  wait: { type: 'boolean', default: false },
  timeout: { type: 'string' },
  file: { type: 'string' },
  'poll-ms': { type: 'string' },
  name: { type: 'string' },
  pipeline: { type: 'string' },
  template: { type: 'string' },
  params: { type: 'string' },
  cron: { type: 'string' },
  'time-zone': { type: 'string' },
  'every-hours': { type: 'string' },
  'start-at': { type: 'string' },
  'end-at': { type: 'string' },
  'credentials-file': { type: 'string' },
} as const;

const areas = ['exports', 'pipelines', 'pipeline-schedules', 'destinations'] as const;
type Area = (typeof areas)[number];
const isArea = (value: string): value is Area => (areas as readonly string[]).includes(value);

export async function runCli(argv: string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    const [area, action, ...rest] = positionals;
    if (values.help || area === undefined || area === 'help') {
      io.stdout.write(`${usage}\n`);
      return area === undefined && !values.help ? exitCodes.usage : exitCodes.ok;
    }
    if (!isArea(area)) throw new CliUsageError(`unknown area ${area}; expected ${areas.join(', ')}`);
    const connection = await resolveConnection(values);
    const client = createApiClient({ baseUrl: connection.url, apiKey: connection.key, headers: { 'user-agent': 'aepj-cli' } });
    const commands = { exports: runExportCommand, pipelines: runPipelineCommand, 'pipeline-schedules': runScheduleCommand, destinations: runDestinationCommand } as const;
    return await commands[area](client, action, rest, values, io);
  } catch (error) {
    if (error instanceof CliUsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      io.stderr.write(`${error.message}\n${usage}\n`);
      return exitCodes.usage;
    }
    if (error instanceof WaitTimeoutError || error instanceof PipelineWaitTimeoutError) {
      io.stderr.write(`${error.message}\n`);
      return exitCodes.timeout;
    }
    if (error instanceof ApiError || error instanceof ExportGoneError) {
      io.stderr.write(`${error.message}\n`);
      return exitCodes.api;
    }
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}${cause}\n`);
    return exitCodes.api;
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await runCli(process.argv.slice(2));
}
