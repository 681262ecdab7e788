// A node:test reporter that prints, at the end of a run, the files that took longest (the sum of
// their top-level tests and suites, hooks included). Used by run-tests.mjs beside the spec reporter
// so a slow CI run says where its time went.
import { relative } from 'node:path';

const SHOWN = Number(process.env.TEST_TIMINGS_SHOWN ?? 15);

export default async function* fileTimings(source) {
  const perFile = new Map();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      const file = relative(process.cwd(), event.data.file);
      perFile.set(file, (perFile.get(file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
  }
  const slowest = [...perFile].sort((a, b) => b[1] - a[1]).slice(0, SHOWN);
  const total = [...perFile.values()].reduce((sum, ms) => sum + ms, 0);
  yield `\nslowest test files (of ${perFile.size}, ${(total / 1000).toFixed(0)} s summed):\n`;
  for (const [file, ms] of slowest) yield `  ${(ms / 1000).toFixed(1).padStart(7)} s  ${file}\n`;
}
