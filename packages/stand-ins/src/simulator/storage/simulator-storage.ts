// The simulator's handle on its storage emulators: started with the simulator (when embedded),
// closed with it, and asked for their endpoints by the landing code and the DLZ routes.
import type { SimulatorStorageConfig } from '../config.js';
import { externalStorageEmulators, startStorageEmulators, type StorageEmulators } from './storage-emulators.js';

export class StorageUnavailableError extends Error {}

export class SimulatorStorage {
  private emulators: StorageEmulators | undefined;

  constructor(
    readonly config: SimulatorStorageConfig,
    private readonly host: string,
  ) {}

  async start(): Promise<void> {
    if (this.emulators !== undefined) return;
    if (this.config.embedded) this.emulators = await startStorageEmulators({ host: this.host, ...this.config });
    else if (this.config.external !== undefined) this.emulators = externalStorageEmulators(this.config.external);
  }

  async close(): Promise<void> {
    const emulators = this.emulators;
    this.emulators = undefined;
    await emulators?.close();
  }

  /** The emulators' endpoints; throws when there are none (not embedded, no external endpoints). */
  get endpoints(): StorageEmulators {
    if (this.emulators === undefined) throw new StorageUnavailableError('the storage emulators are not running');
    return this.emulators;
  }

  get running(): boolean {
    return this.emulators !== undefined;
  }
}
