// `npm run bench:idle-streams`: what open, idle event streams cost. 100 streams
// (GET /exports/:id/events) on 100 queued exports, no worker (so nothing changes), measured over
// 60 s (10 s with BENCH_QUICK=1) after a warm-up: CPU of the API and of Postgres from /proc, in
// percent of one core. Target (issue #13): below 5 % of one core. Changes are pushed by Postgres
// LISTEN/NOTIFY, so an idle stream should cost only its heartbeat.
import { setTimeout as sleep } from 'node:timers/promises';
import { createExportTargets, exportSpecs, startBenchWorld } from './lib/bench-world.js';
import { startCpuMeter } from './lib/process-usage.js';
import { printTable, writeResult } from './lib/report.js';

const quick = process.env.BENCH_QUICK === '1';
const settings = { quick, streams: 100, warmUpSeconds: 5, measuredSeconds: quick ? 10 : 60, heartbeatMs: 15_000 };

async function main(): Promise<void> {
  const startedAt = new Date();
  const world = await startBenchWorld({ label: 'idlestreams', env: { EXPORT_EVENTS_HEARTBEAT_MS: String(settings.heartbeatMs) } });
  const aborts = new AbortController();
  try {
    await world.startApi();
    const targets = await createExportTargets(world, 2);
    const ids: string[] = [];
    for (const spec of exportSpecs(settings.streams, 20, targets)) {
      const answer = await world.request<{ id: string }>('POST', '/exports', spec);
      if (answer.status !== 202) throw new Error(`POST /exports: ${answer.status} ${JSON.stringify(answer.body)}`);
      ids.push(answer.body.id);
    }
    let frames = 0;
    const streams = ids.map(async (id) => {
      const response = await fetch(`${world.api.url}/exports/${id}/events`, { headers: { authorization: `Bearer ${world.apiKey}` }, signal: aborts.signal });
      if (response.status !== 200 || !response.body) throw new Error(`stream ${id}: ${response.status}`);
      try {
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) frames += chunk.length > 0 ? 1 : 0;
      } catch {
        // aborted at the end
      }
    });
    await sleep(settings.warmUpSeconds * 1000);
    const framesBefore = frames;
    const meter = await startCpuMeter();
    await sleep(settings.measuredSeconds * 1000);
    const usage = await meter.stop();
    const framesDuring = frames - framesBefore;
    aborts.abort();
    await Promise.allSettled(streams);

    const api = usage.byGroup.api ?? 0;
    const postgres = usage.byGroup.postgres ?? 0;
    const results = { streams: ids.length, seconds: usage.seconds, cpuPercentOfOneCore: usage.byGroup, api, postgres, apiPlusPostgres: api + postgres, framesDuring, target: 5 };
    printTable(`${ids.length} idle event streams over ${usage.seconds} s (percent of one core)`, [
      { process: 'api', cpu: api },
      { process: 'postgres', cpu: postgres },
      { process: 'api + postgres', cpu: Math.round((api + postgres) * 10) / 10 },
      { process: 'target', cpu: '< 5' },
    ]);
    console.log(`frames received while measured: ${framesDuring}`);
    console.log(`results: ${await writeResult('idle-streams', startedAt, settings, results)}`);
  } finally {
    aborts.abort();
    await world.close();
  }
}

await main();
