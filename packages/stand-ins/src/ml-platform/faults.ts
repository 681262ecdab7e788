// Fault knobs of the local ML platform (in memory, per instance): fail the next N runs, drop the
// next N completion callbacks. Job parameters `simulate_failure` / `drop_callback` do the same
// for a single run.

export interface MlPlatformFaultConfig {
  /** How many upcoming runs end TERMINATED/FAILED without training. */
  failRuns: number;
  /** How many upcoming completion callbacks are silently never sent. */
  dropCallbacks: number;
}

export class MlPlatformFaults {
  private config: MlPlatformFaultConfig;

  constructor(initial: Partial<MlPlatformFaultConfig> = {}) {
    this.config = { failRuns: 0, dropCallbacks: 0, ...initial };
  }

  current(): MlPlatformFaultConfig {
    return { ...this.config };
  }

  set(update: Partial<MlPlatformFaultConfig>): MlPlatformFaultConfig {
    this.config = { ...this.config, ...update };
    return this.current();
  }

  takeRunFailure(): boolean {
    if (this.config.failRuns <= 0) return false;
    this.config.failRuns--;
    return true;
  }

  takeCallbackDrop(): boolean {
    if (this.config.dropCallbacks <= 0) return false;
    this.config.dropCallbacks--;
    return true;
  }
}
