// GET /exports/:id/events: a server-sent event stream of one export. It sends the export at once,
// then again on every change (status, step, Platform ids, runs, error): Postgres notifies the
// process's one listening connection of each change of the row or its runs (export-change-feed.ts),
// and only then is the export read again; an idle stream costs no reads, only a comment line as
// heartbeat. It ends after a terminal status
// with an `end` event. Authentication is the usual Bearer header (the dashboard reads the stream
// with fetch, not EventSource, so no key ever travels in a URL). Streams end when the API shuts
// down; clients reconnect and get the current state first.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { ExportParamsSchema, type ExportView } from '../../exports/export-schemas.js';
import type { ExportChangeFeed } from '../../exports/export-change-feed.js';
import type { ExportService } from '../../exports/export-service.js';
import { activeExportStatuses } from '../../exports/export-status.js';
import { problemResponses } from './problem-schema.js';

export interface ExportEventRoutesOptions {
  exports: Pick<ExportService, 'get'>;
  changes: ExportChangeFeed;
  heartbeatMs: number;
}

/**
 * Whether the stream is over: nothing more happens to the export unless someone asks again. A
 * paused export goes on: runs started before the pause finish, and a resume makes it active.
 */
export function isFinalExportStatus(status: ExportView['status']): boolean {
  return status !== 'paused' && !(activeExportStatuses as readonly string[]).includes(status);
}

/** One SSE frame; `data` is single-line JSON. */
function frame(event: string, id: number, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

const eventStreamDescription = [
  'Server-sent events (text/event-stream). `event: export` carries the export (as GET /exports/{id}) once at the start and after every change;',
  '`event: end` (data `{"status": ...}`) follows a terminal status and the stream closes; `event: gone` means the export no longer exists.',
  'Comment lines (`: heartbeat`) keep idle streams open. Reconnecting is always safe: the current state comes first.',
].join(' ');

export const exportEventRoutes: FastifyPluginAsyncZod<ExportEventRoutesOptions> = async (app, opts) => {
  const openStreams = new Map<() => void, Promise<unknown>>();
  // Long-lived responses would hold the HTTP server open: end them, and wait until they are sent
  // so their connections are idle (and closed) when the server stops.
  app.addHook('preClose', async () => {
    const sent = [...openStreams.values()];
    for (const end of [...openStreams.keys()]) end();
    // A client that stopped reading must not hold the shutdown up for long.
    await Promise.race([Promise.all(sent), sleep(2000, undefined, { ref: false })]);
  });

  app.get(
    '/exports/:id/events',
    {
      schema: {
        tags: ['exports'],
        summary: "Follow an export's changes as server-sent events",
        description: eventStreamDescription,
        params: ExportParamsSchema,
        response: {
          200: { description: eventStreamDescription, content: { 'text/event-stream': { schema: z.string() } } },
          ...problemResponses(400, 404),
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = request.auth;
      const { id } = request.params;
      let busy = false;
      let again = false;
      let ended = false;
      let started = false;
      let heardBeforeStart = false;
      // Listening before the first read, so no change between the two goes unheard.
      const onChange = (): void => {
        if (started) void read();
        else heardBeforeStart = true;
      };
      const unsubscribe = await opts.changes.subscribe(id, onChange).catch((error: unknown) => {
        request.log.warn({ err: error }, 'export event stream cannot listen for changes');
        throw new AppError('service_unavailable', 'Export events are unavailable right now; retry shortly.', { headers: { 'retry-after': '2' } });
      });
      let first: ExportView;
      try {
        // Unknown or another tenant's export: an ordinary 404 before any stream starts.
        first = await opts.exports.get(tenantId, id);
      } catch (error) {
        unsubscribe();
        throw error;
      }

      const stream = new PassThrough();
      let eventId = 0;
      let last = '';
      const send = (event: string, data: unknown) => stream.write(frame(event, ++eventId, data));

      const end = (): void => {
        if (ended) return;
        ended = true;
        unsubscribe();
        clearInterval(heartbeat);
        openStreams.delete(end);
        stream.end();
      };
      const publish = (view: ExportView): void => {
        const text = JSON.stringify(view);
        if (text === last) return;
        last = text;
        send('export', view);
        if (isFinalExportStatus(view.status)) {
          send('end', { status: view.status });
          end();
        }
      };
      /** Reads the export after a change; changes heard during a read make one more read after it. */
      async function read(): Promise<void> {
        if (ended) return;
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          do {
            again = false;
            try {
              const view = await opts.exports.get(tenantId, id);
              if (!ended) publish(view);
            } catch (error) {
              if (error instanceof AppError && error.code === 'not_found') {
                send('gone', { id });
                end();
              } else {
                request.log.warn({ err: error, exportId: id }, 'export event stream could not read the export; reading at its next change');
              }
            }
          } while (again && !ended);
        } finally {
          busy = false;
        }
      }

      const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), opts.heartbeatMs);
      openStreams.set(end, once(reply.raw, 'close').catch(() => undefined));
      reply.raw.on('close', end);

      stream.write('retry: 2000\n\n');
      publish(first);
      started = true;
      if (heardBeforeStart) void read();
      // Fastify pipes a stream as it is; the type provider only types bodies it serializes.
      const body = stream as unknown as string;
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no')
        .send(body);
    },
  );
};
