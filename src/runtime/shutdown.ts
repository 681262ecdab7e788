// One graceful-shutdown path per process: first signal closes in order, a second one or the grace
// timeout exits at once.
import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';

export function onShutdown(logger: Logger, close: () => Promise<void>, delayMs = 25_000): void {
  closeWithGrace({ delay: delayMs }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await close();
  });
}
