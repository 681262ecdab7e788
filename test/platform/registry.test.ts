// One Platform registry per process serves exports and pipelines alike: one client per tenant
// with the export methods and the pipeline APIs, one IMS token cache and one call hook, so a
// pipeline step's token requests and calls reach the metrics like an export's.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createSecretBox, parseKeyring } from '../../src/crypto/secret-box.js';
import { platformMetricHooks } from '../../src/metrics/platform-metrics.js';
import { createServiceMetrics, type ServiceMetrics } from '../../src/metrics/service-metrics.js';
import { createPlatformRegistry, type PlatformRegistry } from '../../src/platform-registry.js';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { issuedTokenCount } from './support.js';

let sim: TestSimulator;
let metrics: ServiceMetrics;
let registry: PlatformRegistry;
const secrets = createSecretBox(parseKeyring(`test:${randomBytes(32).toString('base64')}`));

async function counted(counter: ServiceMetrics['tokenRequests'] | ServiceMetrics['platformCalls'], labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k as keyof typeof v.labels] === want)).reduce((n, v) => n + v.value, 0);
}

before(async () => {
  sim = await startSimulator();
  metrics = createServiceMetrics();
  registry = createPlatformRegistry({ secrets, simulatorUrl: sim.url, ...platformMetricHooks(metrics) });
});
after(async () => {
  await registry?.close();
  await sim?.close();
});

test("a pipeline call's token request and the call itself reach the metrics; exports then reuse the token", async () => {
  const tenant = {
    id: 'c0ffee00-0000-4000-8000-000000000016',
    platformTarget: 'simulator',
    imsOrgId: sim.orgId,
    sandboxName: sim.sandbox,
    clientId: sim.clientId,
    clientSecretSealed: secrets.seal(sim.clientSecret),
    scopes: 'openid,AdobeID,read_organizations',
  };
  const client = registry.platformFor(tenant);
  const before = await issuedTokenCount(sim);

  // Query Service: a pipeline-only API.
  await client.findQueriesBySql('SELECT 16');
  assert.equal(await counted(metrics.tokenRequests, { outcome: 'issued' }), 1);
  assert.equal(await counted(metrics.platformCalls, { endpoint: 'queries.list', status: '200' }), 1);

  // Catalog through the same client and the same process-wide cache: no second token.
  await client.listDatasets({ limit: 1 });
  assert.ok((await counted(metrics.platformCalls, { endpoint: 'datasets.list', status: '200' })) >= 1);
  assert.equal(await counted(metrics.tokenRequests, { outcome: 'issued' }), 1);
  assert.equal((await issuedTokenCount(sim)) - before, 1);
  assert.equal(registry.platformFor(tenant), client);
});
