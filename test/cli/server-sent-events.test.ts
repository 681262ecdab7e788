// The client's event-stream reader across awkward chunk boundaries: line ends split between
// chunks (CR in one, LF in the next), a multi-byte character split in two, and a final event
// the stream never ended.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readServerSentEvents, type ServerSentEvent } from '../../src/client/server-sent-events.js';

function streamOf(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function readAll(chunks: (string | Uint8Array)[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of readServerSentEvents(streamOf(chunks))) events.push(event);
  return events;
}

test('a CRLF split across two chunks keeps the event id', async () => {
  const events = await readAll(['id: 41\r', '\nevent: status\r\ndata: {"status":"running"}\r', '\n\r', '\nid: 42\r\nevent: status\r\ndata: {"status":"succeeded"}\r\n\r\n']);
  assert.deepEqual(events, [
    { event: 'status', data: '{"status":"running"}', id: '41' },
    { event: 'status', data: '{"status":"succeeded"}', id: '42' },
  ]);
});

test('comments are skipped, data lines join, a character split between chunks survives, an unended event is dropped', async () => {
  const euro = new TextEncoder().encode('€');
  const events = await readAll([': keep-alive\n\ndata: a\ndata: ', euro.slice(0, 1), euro.slice(1), '\n\n', 'data: never ended\n']);
  assert.deepEqual(events, [{ event: 'message', data: 'a\n€' }]);
});
