// Follows an export until it reaches a final status, through GET /exports/{id}/events: each
// change arrives as it happens, and a dropped stream (API restart, proxy timeout) is reopened,
// starting again from the current state.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, finalExportStatuses, type ApiClient, type Export } from './api-client.js';
import { readServerSentEvents } from './server-sent-events.js';

export interface WaitOptions {
  /** Called with the export at the start and after every change. */
  onUpdate?: (view: Export) => void;
  signal?: AbortSignal;
  /** Pause before reopening a dropped stream. */
  reconnectDelayMs?: number;
}

export class ExportGoneError extends Error {
  override name = 'ExportGoneError';
}

export async function waitForExport(client: ApiClient, id: string, options: WaitOptions = {}): Promise<Export> {
  const reconnectDelayMs = options.reconnectDelayMs ?? 1000;
  let last: Export | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const result = await client.GET('/exports/{id}/events', {
        params: { path: { id } },
        parseAs: 'stream',
        headers: { accept: 'text/event-stream' },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (!result.response.ok || !result.data) {
        throw new ApiError(result.response.status, await result.response.json().catch(() => undefined));
      }
      for await (const message of readServerSentEvents(result.data)) {
        if (message.event === 'gone') throw new ExportGoneError(`export ${id} no longer exists`);
        if (message.event !== 'export') continue;
        last = JSON.parse(message.data) as Export;
        options.onUpdate?.(last);
        if (finalExportStatuses.includes(last.status)) return last;
      }
    } catch (error) {
      // Client errors (401, 404, ...) and a deleted export will not get better by retrying.
      if (error instanceof ExportGoneError || (error instanceof ApiError && error.status < 500 && error.status !== 429)) throw error;
      if (options.signal?.aborted) throw error;
    }
    await sleep(reconnectDelayMs, undefined, options.signal ? { signal: options.signal } : {});
  }
}
