// A raw TCP client for what fetch cannot send: malformed HTTP, oversized header blocks, a request
// that stops half-way. Collects what the server writes until it closes the socket.
import { connect, type Socket } from 'node:net';

export interface RawExchange {
  socket: Socket;
  /** Resolves with everything the server wrote, once it closed the socket (or `giveUpMs` passed: `closed` false). */
  closed(giveUpMs: number): Promise<{ closed: boolean; text: string }>;
}

export async function openRaw(url: string, ...chunks: (string | Buffer)[]): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let text = '';
  let ended = false;
  const done = new Promise<void>((resolve) => {
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    socket.on('error', () => undefined); // a reset after the answer is part of closing
    socket.once('close', () => {
      ended = true;
      resolve();
    });
  });
  for (const chunk of chunks) socket.write(chunk);
  return {
    socket,
    async closed(giveUpMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, giveUpMs)))]);
      clearTimeout(timer);
      if (!ended) socket.destroy();
      return { closed: ended, text };
    },
  };
}

/** Status and parsed body of the one HTTP answer in `text` (the client-error path writes one). */
export function parseAnswer(text: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}
