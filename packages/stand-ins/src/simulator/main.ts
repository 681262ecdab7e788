// Standalone entry of the Platform simulator (`npm run simulator`): parse config, listen, and
// close gracefully on SIGTERM/SIGINT.
import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { createSimulator } from './app.js';
import { loadSimulatorConfig } from './config.js';

const logger = pino({ name: 'aep-simulator', redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] });
const config = loadSimulatorConfig();
const simulator = createSimulator(config, { logger });

closeWithGrace({ delay: 10_000, logger }, async ({ err, signal }) => {
  if (err !== undefined) logger.error({ err }, 'simulator closing after error');
  else logger.info({ signal }, 'simulator closing');
  await simulator.close();
});

const url = await simulator.start();
logger.info({ url, schema: config.dbSchema, profile: config.profile }, 'Platform simulator listening');
