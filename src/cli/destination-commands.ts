// `destinations create|get|list|update|delete`: thin layers over the typed client. Bodies and
// credentials come from JSON files, never from the command line (where other users of the machine
// could read them in the process list). A destination still in use cannot be deleted: the API's
// 409 names its users. Returns the exit code (0; errors throw).
import { readFile } from 'node:fs/promises';
import { ApiError, dataOrThrow, type ApiClient, type components } from '../client/api-client.js';
import { CliUsageError } from './cli-config.js';
import { print, type CommandIo } from './export-commands.js';
import { formatTable } from './output.js';
import { collectPages } from './pages.js';

type Destination = components['schemas']['Destination'];
type CreateDestination = components['schemas']['CreateDestinationInput'];
type UpdateDestination = components['schemas']['UpdateDestinationInput'];

export interface DestinationFlags {
  json: boolean;
  file?: string | undefined;
  name?: string | undefined;
  'credentials-file'?: string | undefined;
  limit?: string | undefined;
  all: boolean;
}

export function formatDestination(d: Destination): string {
  return [
    `destination  ${d.id} "${d.name}"`,
    `type         ${d.type}`,
    `params       ${JSON.stringify(d.params)}`,
    `credentials  ${d.hasCredentials ? 'set (sealed at rest, never shown)' : 'none'}`,
    `platform     base ${d.baseConnectionId ?? '-'}`,
    `created      ${d.createdAt}`,
  ].join('\n');
}

async function readJson<T>(file: string, what: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    throw new CliUsageError(`cannot read ${file} as ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function idArg(args: string[], command: string): string {
  const id = args[0];
  if (!id) throw new CliUsageError(`usage: destinations ${command}`);
  return id;
}

export async function runDestinationCommand(client: ApiClient, action: string | undefined, args: string[], flags: DestinationFlags, io: CommandIo): Promise<number> {
  const show = (view: Destination) => print(io, flags, view, () => formatDestination(view));
  switch (action ?? '') {
    case 'create': {
      if (!flags.file) throw new CliUsageError('destinations create needs --file <destination.json> (the body of POST /destinations)');
      show(dataOrThrow(await client.POST('/destinations', { body: await readJson<CreateDestination>(flags.file, 'JSON') })));
      return 0;
    }
    case 'get':
      show(dataOrThrow(await client.GET('/destinations/{id}', { params: { path: { id: idArg(args, 'get <id>') } } })));
      return 0;
    case 'list': {
      const items = await collectPages(flags.all, async (cursor) =>
        dataOrThrow(await client.GET('/destinations', { params: { query: { ...(flags.limit ? { limit: Number(flags.limit) } : {}), ...(cursor ? { cursor } : {}) } } })),
      );
      print(io, flags, items, () => (items.length ? formatTable(['ID', 'TYPE', 'NAME'], items.map((d) => [d.id, d.type, d.name])) : 'no destinations'));
      return 0;
    }
    case 'update': {
      const id = idArg(args, 'update <id> [--name <name>] [--credentials-file <credentials.json>]');
      const body: UpdateDestination = {
        ...(flags.name !== undefined ? { name: flags.name } : {}),
        ...(flags['credentials-file'] !== undefined ? { credentials: await readJson<NonNullable<UpdateDestination['credentials']>>(flags['credentials-file'], 'JSON credentials') } : {}),
      };
      if (Object.keys(body).length === 0) throw new CliUsageError('destinations update needs --name or --credentials-file');
      show(dataOrThrow(await client.PATCH('/destinations/{id}', { params: { path: { id } }, body })));
      return 0;
    }
    case 'delete': {
      const id = idArg(args, 'delete <id>');
      const result = await client.DELETE('/destinations/{id}', { params: { path: { id } } });
      if (!result.response.ok) throw new ApiError(result.response.status, result.error);
      print(io, flags, { id, deleted: true }, () => `deleted destination ${id}`);
      return 0;
    }
    default:
      throw new CliUsageError(`unknown destinations command ${action || '(none)'}; expected create, get, list, update or delete`);
  }
}
