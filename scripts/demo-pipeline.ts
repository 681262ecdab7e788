// `npm run demo:pipeline`: the CMLE workflow end to end against a running service (`npm start` on
// its defaults: the Platform simulator with its synthetic CMLE events and its ML platform under
// /ml, the API and a worker, all local): featurize the events with Query Service, export the
// training set, train and score on the ML platform, ingest the scores, evaluate the audience and
// activate it. Prints each step as it moves, then the model's AUC, the audience size, and the URIs
// the training set and the scores landed at.
//
//   npm run demo:pipeline
//   options: --url and --key (default: AEPJ_URL and AEPJ_API_KEY, then the URL and key a local
//   `npm start` wrote under data/), --min / --max (the propensity band, default 0.2 and 0.93, the
//   notebooks' rule), --path (folder prefix of the landed files)
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { cmlePipelineSteps } from '../src/pipelines/cmle-example.js';
import type { PipelineView } from '../src/pipelines/pipeline-schemas.js';
import { discoverLocalService } from '../src/runtime/local-service.js';
import { client, waitUntilReady } from './demo-http.js';

const OptionsSchema = z.object({
  url: z.url(),
  urlSource: z.string(),
  key: z.string({ error: 'no API key: pass --key, set AEPJ_API_KEY, or run `npm start` once (it writes data/local-api-key)' }).min(20),
  min: z.coerce.number().min(0).max(1).default(0.2),
  max: z.coerce.number().min(0).max(1).default(0.93),
  path: z.string().default(`demo-pipeline/${new Date().toISOString().slice(0, 19).replaceAll(/[-:]/g, '').replace('T', '-')}`),
});
type Options = z.infer<typeof OptionsSchema>;

async function demoOptions(): Promise<Options> {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, key: { type: 'string' }, min: { type: 'string' }, max: { type: 'string' }, path: { type: 'string' } },
  });
  const parsed = OptionsSchema.safeParse({ ...values, ...(await discoverLocalService(values, process.env)) });
  if (!parsed.success) {
    console.error(z.prettifyError(parsed.error));
    process.exit(2);
  }
  return parsed.data;
}

/** The outputs worth a line while the demo runs, by step kind. */
function highlights(step: PipelineView['steps'][number]): string {
  const o = step.outputs;
  switch (step.kind) {
    case 'featurize':
      return `query ${String(step.externalIds.queryId)}: ${String(o.rowCount)} training rows in ${String(o.tableName)}`;
    case 'export':
      return `export ${String(o.exportId)}: ${String(o.files)} files, ${String(o.records)} records in ${String(o.landedUri)}`;
    case 'ml':
      return `ML run ${String(o.mlRunId)}: ${String(o.scoredRows)} scored, held-out AUC ${typeof o.auc === 'number' ? o.auc.toFixed(3) : 'n/a'}`;
    case 'ingest':
      return `batch ${String(o.batchId)}: ${String(o.records)} scores into dataset ${String(o.datasetId)}`;
    case 'audience':
      return `segment ${String(o.segmentId)}: ${String(o.audienceSize)} of ${String(o.totalProfiles)} profiles`;
    case 'activate':
      return `flow ${String(o.flowId)}, run ${String(o.platformRunId)}: ${String(o.records)} members in ${String(o.files)} files`;
  }
}

async function main(): Promise<void> {
  const options = await demoOptions();
  const call = client(options);
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s`;

  await waitUntilReady(options);
  const destination = await call<{ id: string }>('POST', '/destinations', { type: 'dlz', name: `demo pipeline ${options.path}`, params: {} });
  const accepted = await call<PipelineView>('POST', '/pipelines', {
    name: `CMLE demo ${options.path}`,
    steps: cmlePipelineSteps({
      exportDestinationId: destination.id,
      activationDestinationId: destination.id,
      exportPath: `${options.path}/egress`,
      activationPath: `${options.path}/audiences`,
      rule: { min: options.min, max: options.max },
    }),
  });
  console.log(`pipeline  ${accepted.id}: ${accepted.steps.map((s) => s.name).join(' -> ')}\n`);

  const seen = new Map<string, string>();
  let current = accepted;
  for (;;) {
    for (const step of current.steps) {
      if (seen.get(step.name) === step.state) continue;
      seen.set(step.name, step.state);
      const detail = step.state === 'succeeded' ? `  ${highlights(step)}` : step.state === 'failed' ? `  ${step.error?.message ?? ''}` : '';
      console.log(`${elapsed()}  ${step.name.padEnd(16)} ${step.state.padEnd(10)}${detail}`);
    }
    if (['succeeded', 'failed', 'cancelled'].includes(current.status)) break;
    await sleep(500);
    current = await call<PipelineView>('GET', `/pipelines/${accepted.id}`);
  }

  console.log(`\n${elapsed()}  pipeline ${current.status}`);
  if (current.status !== 'succeeded') {
    console.log(`the pipeline ended ${current.status}: ${current.error?.message ?? 'no details'}`);
    process.exitCode = 1;
    return;
  }
  const ml = current.steps.find((s) => s.kind === 'ml');
  const audience = current.steps.find((s) => s.kind === 'audience');
  const auc = ml?.outputs.auc;
  console.log(`model     held-out AUC ${typeof auc === 'number' ? auc.toFixed(3) : 'n/a'} (0.5 is a coin toss)`);
  console.log(`audience  ${String(audience?.outputs.audienceSize)} profiles with ${String(audience?.outputs.pql)}`);
  const training = current.steps.find((s) => s.kind === 'export');
  console.log(`training  ${String(training?.outputs.landedUri)}`);
  console.log(`scores    ${String(ml?.outputs.scoresUri)}   (the DLZ user drop zone: GET /destinations/<id>/access gives read credentials)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
