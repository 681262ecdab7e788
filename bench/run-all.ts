// `npm run bench`: every benchmark in turn, each in its own process so one's leftovers (heap,
// sockets, child processes) cannot colour the next. Run it on an otherwise quiet machine.
// `npm run bench -- accept worker` runs a subset.
import { spawnSync } from 'node:child_process';

const benchmarks = ['accept', 'worker', 'read-path', 'idle-streams', 'recovery', 'memory'];
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : benchmarks;
const unknown = chosen.filter((name) => !benchmarks.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${benchmarks.join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const name of chosen) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.error(`${name} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
