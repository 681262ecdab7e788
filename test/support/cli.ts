// Runs the aepj CLI (src/cli/main.ts) as a child process, as a user would, and collects its output.
import { runTsToEnd, type FinishedRun } from './processes.js';

export type CliRun = FinishedRun;

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runTsToEnd('src/cli/main.ts', args, { env: { PATH: process.env.PATH ?? '', ...env } });
}
