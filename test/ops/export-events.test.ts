// GET /exports/:id/events: the export as it changes, over a real HTTP connection, ending after the
// terminal status; the usual auth and tenant isolation; heartbeats on an idle stream; and streams
// ended cleanly when the API shuts down.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { readServerSentEvents, type ServerSentEvent } from '../../src/client/server-sent-events.js';
import type { ExportView } from '../../src/exports/export-schemas.js';
import { exportSteps } from '../../src/exports/worker/export-model.js';
import { bodyOf } from '../support/api.js';
import { createDestination, createExport, datasetIdByName, EVENTS_DATASET } from '../worker/helpers.js';
import { startListeningWorld, type ListeningWorld } from './support.js';

const finalStatuses = ['succeeded', 'failed', 'cancelled', 'timed_out'];

async function openStream(world: ListeningWorld, id: string, key: string | null, signal?: AbortSignal): Promise<Response> {
  return fetch(`${world.baseUrl}/exports/${id}/events`, {
    headers: { accept: 'text/event-stream', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    ...(signal ? { signal } : {}),
  });
}

async function collect(response: Response): Promise<ServerSentEvent[]> {
  assert.ok(response.body);
  const events: ServerSentEvent[] = [];
  for await (const event of readServerSentEvents(response.body)) events.push(event);
  return events;
}

describe('export event stream', () => {
  let world: ListeningWorld;
  let datasetId: string;
  let destinationId: string;

  before(async () => {
    world = await startListeningWorld({ env: { EXPORT_EVENTS_HEARTBEAT_MS: '100' } });
    datasetId = await datasetIdByName(world.api, EVENTS_DATASET);
    destinationId = await createDestination(world.api, 'dlz');
  });
  after(() => world?.close());

  test('follows an export from the start to succeeded, then ends', async () => {
    const created = await createExport(world.api, { datasetId, destinationId, path: 'events/a' });
    const response = await openStream(world, created.id, world.api.keys.tenantA);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.ok(response.headers.get('x-request-id'));
    const events = await collect(response);

    const views = events.filter((e) => e.event === 'export').map((e) => JSON.parse(e.data) as ExportView);
    assert.ok(views.length >= 2, `saw ${views.length} export events`);
    assert.equal(views[0]?.id, created.id);
    // Every event is a change; only the last status is final; steps only move forward.
    for (let i = 1; i < views.length; i++) assert.notDeepEqual(views[i], views[i - 1]);
    const statuses = views.map((v) => v.status);
    assert.deepEqual(statuses.map((s) => finalStatuses.includes(s)), statuses.map((_, i) => i === statuses.length - 1), JSON.stringify(statuses));
    const steps = views.map((v) => (exportSteps as readonly string[]).indexOf(v.step));
    assert.ok(steps.every((r) => r >= 0), JSON.stringify(views.map((v) => v.step)));
    assert.deepEqual(steps, [...steps].sort((a, b) => a - b), JSON.stringify(views.map((v) => v.step)));
    const last = views.at(-1);
    assert.equal(last?.status, 'succeeded');
    // The stream's last export is what GET answers now, and `end` closes the stream.
    assert.deepEqual(last, bodyOf<ExportView>(await world.api.get(world.api.keys.tenantA, `/exports/${created.id}`)));
    assert.deepEqual(events.at(-1), { event: 'end', data: JSON.stringify({ status: 'succeeded' }), id: String(events.length) });
    // Event ids count up from 1.
    assert.deepEqual(events.map((e) => e.id), events.map((_, i) => String(i + 1)));
  });

  test('a finished export gives its state and end at once', async () => {
    const list = bodyOf<{ items: ExportView[] }>(await world.api.get(world.api.keys.tenantA, '/exports?status=succeeded&limit=1'));
    const done = list.items[0];
    assert.ok(done);
    const events = await collect(await openStream(world, done.id, world.api.keys.tenantA));
    assert.deepEqual(events.map((e) => e.event), ['export', 'end']);
    assert.ok(finalStatuses.includes((JSON.parse(events[0]?.data ?? '{}') as ExportView).status));
  });

  test('needs a key, and another tenant or an unknown id is a 404 problem', async () => {
    const list = bodyOf<{ items: ExportView[] }>(await world.api.get(world.api.keys.tenantA, '/exports?limit=1'));
    const id = list.items[0]?.id ?? randomUUID();
    const anonymous = await openStream(world, id, null);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('content-type') ?? '', /application\/problem\+json/);
    const otherTenant = await openStream(world, id, world.api.keys.tenantB);
    assert.equal(otherTenant.status, 404);
    assert.equal(((await otherTenant.json()) as { code: string }).code, 'not_found');
    assert.equal((await openStream(world, randomUUID(), world.api.keys.tenantA)).status, 404);
    assert.equal((await openStream(world, 'not-a-uuid', world.api.keys.tenantA)).status, 400);
  });

  test('an idle stream carries heartbeats, and the API ending it on shutdown is a clean end', async () => {
    // A second API on the same database, without a worker: its export stays queued.
    const { startTestApi } = await import('../support/api.js');
    const idle = await startTestApi({ env: { EXPORT_EVENTS_HEARTBEAT_MS: '50' } });
    try {
      const base = await idle.app.listen({ host: '127.0.0.1', port: 0 });
      const dest = bodyOf<{ id: string }>(await idle.post(idle.keys.tenantA, '/destinations', { type: 'dlz', name: 'idle', params: {} })).id;
      const datasets = bodyOf<{ items: { id: string; name: string }[] }>(await idle.get(idle.keys.tenantA, '/datasets?limit=100'));
      const dataset = datasets.items.find((d) => d.name === EVENTS_DATASET)?.id;
      assert.ok(dataset);
      const created = bodyOf<ExportView>(await idle.post(idle.keys.tenantA, '/exports', { datasetId: dataset, destinationId: dest, path: 'events/idle', format: 'parquet', compression: 'gzip' }));
      const response = await fetch(`${base}/exports/${created.id}/events`, { headers: { authorization: `Bearer ${idle.keys.tenantA}` } });
      assert.ok(response.body);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes(': heartbeat')) {
        const { value, done } = await reader.read();
        assert.equal(done, false, 'the stream ended before a heartbeat');
        text += value;
      }
      assert.match(text, /event: export\ndata: .*"status":"queued"/);
      // Closing the API ends the stream (the read finishes) instead of holding the close up.
      const closing = idle.app.close();
      for (;;) {
        const { done } = await reader.read();
        if (done) break;
      }
      await closing;
    } finally {
      await idle.close();
    }
  });
});
