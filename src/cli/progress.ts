// The `wait` progress display: on a terminal one line rewritten in place (status, step, runs,
// elapsed time); in a CI log one line per change, never a spinner.
import type { Export } from '../client/api-client.js';
import { describeLastError } from './output.js';

export interface ProgressDisplay {
  update(view: Export): void;
  /** Ends the line so later output starts on a fresh one. */
  done(): void;
}

export function describeProgress(view: Export, elapsedMs: number): string {
  const run = view.runs.at(-1);
  const runText = run ? ` · run ${run.state}${run.files !== null ? `, ${run.files} files` : ''}${run.records !== null ? `, ${run.records} records` : ''}` : '';
  const retrying = view.lastError ? ` · ${describeLastError(view.lastError)}` : '';
  return `${view.id.slice(0, 8)} ${view.status} · step ${view.step}${runText}${retrying} · ${Math.round(elapsedMs / 1000)}s`;
}

export function createProgressDisplay(stream: NodeJS.WriteStream, now: () => number = Date.now): ProgressDisplay {
  const started = now();
  let last = '';
  let inPlace = false;
  return {
    update(view) {
      const text = describeProgress(view, now() - started);
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${text}`);
        inPlace = true;
      } else {
        // Elapsed seconds alone are no change worth a log line.
        const key = text.replace(/ · \d+s$/, '');
        if (key !== last) stream.write(`${text}\n`);
        last = key;
      }
    },
    done() {
      if (inPlace) stream.write('\n');
      inPlace = false;
    },
  };
}
