// A text/event-stream reader (WHATWG server-sent events framing) on eventsource-parser: `event`,
// `data` (joined across lines), `id`; comments and `retry` are skipped. The parser keeps line
// state across chunks, so a CRLF split between two chunks is one line end, not an empty line that
// would end the event early and lose its id.
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
}

export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  const ready: ServerSentEvent[] = [];
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      ready.push({ event: message.event ?? 'message', data: message.data, ...(message.id === undefined ? {} : { id: message.id }) });
    },
  });
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      // An event not ended by a blank line when the stream ends is dropped, as the standard says.
      parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      while (ready.length > 0) yield ready.shift() as ServerSentEvent;
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}
