// One storage emulator as a process of its own, for the compose file's local mode
// (`node dist/simulator/storage/emulator-main.js s3|gcs|sftp`): the same emulators, keys and users
// the simulator embeds under `npm start`, each in its own container with its own volume, reached
// by the simulator, the worker and the ML platform only over its protocol. Azurite runs from
// Microsoft's own image there. Listens on EMULATOR_HOST (default 0.0.0.0) and the simulator's
// port setting for that emulator; keeps its data under SIMULATOR_STORAGE_DIR.
import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { loadSimulatorConfig } from '../config.js';
import { startS3Emulator } from './s3-server.js';
import { startSftpEmulator } from './sftp-server.js';

const kinds = ['s3', 'gcs', 'sftp'] as const;
type Kind = (typeof kinds)[number];

const logger = pino({ name: 'storage-emulator' });
const kind = process.argv[2] as Kind | undefined;
if (kind === undefined || !kinds.includes(kind)) {
  logger.error(`usage: emulator-main <${kinds.join('|')}>`);
  process.exit(2);
}
const storage = loadSimulatorConfig().storage;
const host = process.env.EMULATOR_HOST ?? '0.0.0.0';

const emulator =
  kind === 'sftp'
    ? await startSftpEmulator({ host, port: storage.sftpPort, directory: storage.directory, users: storage.sftpUsers })
    : await startS3Emulator({
        host,
        port: kind === 's3' ? storage.s3Port : storage.gcsPort,
        directory: storage.directory,
        keys: kind === 's3' ? storage.s3Keys : storage.gcsKeys,
      });

closeWithGrace({ delay: 10_000, logger }, async () => {
  await emulator.close();
});
logger.info({ kind, host, port: kind === 'sftp' ? storage.sftpPort : kind === 's3' ? storage.s3Port : storage.gcsPort }, 'storage emulator listening');
