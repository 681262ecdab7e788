// connectionSpecs and flowSpecs: the six destinations and the data lake source with their real
// ids; the published JSON Schemas accept exactly what the simulator's validation accepts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { authFor, DATA_LAKE_SOURCE_SPEC_ID, DESTINATION_KEYS, DESTINATION_SPEC_IDS, FS, locationFor } from './helpers/fixtures.js';
import { call, items, obj } from './helpers/platform-call.js';
import { assertMatchesSpec } from './helpers/spec-check.js';

describe('connection and flow specs', () => {
  let sim: TestSimulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(async () => sim.close());

  test('GET /connectionSpecs lists the six destinations and the data lake source', async () => {
    const response = await call(sim, { method: 'GET', path: `${FS}/connectionSpecs` });
    assert.equal(response.status, 200);
    await assertMatchesSpec(response, { file: 'flow-service.yaml' });
    const ids = items(response.body).map((s) => s.id).sort();
    const expected = [...DESTINATION_KEYS.map((k) => DESTINATION_SPEC_IDS[k].connectionSpecId), DATA_LAKE_SOURCE_SPEC_ID].sort();
    assert.deepEqual(ids, expected);
  });

  test('aepp finds the source spec by name==activation-datalake', async () => {
    const response = await call(sim, { method: 'GET', path: `${FS}/connectionSpecs?property=name==activation-datalake` });
    assert.deepEqual(items(response.body).map((s) => s.id), [DATA_LAKE_SOURCE_SPEC_ID]);
    const count = await call(sim, { method: 'GET', path: `${FS}/connectionSpecs?property=attributes.isDestination==true&count=true` });
    assert.deepEqual(count.body, { count: 6 });
  });

  test('GET /connectionSpecs/{id} wraps the spec in items; unknown ids are 404', async () => {
    const response = await call(sim, { method: 'GET', path: `${FS}/connectionSpecs/${DESTINATION_SPEC_IDS.dataLandingZone.connectionSpecId}` });
    assert.equal(response.status, 200);
    await assertMatchesSpec(response, { file: 'flow-service.yaml' });
    const [spec] = items(response.body);
    assert.equal(spec?.name, 'Data Landing Zone');
    assert.deepEqual(spec?.authSpec, [], 'DLZ takes no auth');
    const missing = await call(sim, { method: 'GET', path: `${FS}/connectionSpecs/00000000-0000-0000-0000-000000000000` });
    assert.equal(missing.status, 404);
  });

  test('the published auth and target JSON Schemas accept the fixtures and reject what the simulator rejects', async () => {
    const ajv = new Ajv({ strict: false });
    for (const destination of DESTINATION_KEYS) {
      const [spec] = items((await call(sim, { method: 'GET', path: `${FS}/connectionSpecs/${DESTINATION_SPEC_IDS[destination].connectionSpecId}` })).body);
      const auth = authFor(destination) as { specName: string; params: unknown } | null;
      if (auth !== null) {
        const authSpec = (spec?.authSpec as { name: string; spec: object }[]).find((a) => a.name === auth.specName);
        assert.ok(authSpec, `${destination} publishes ${auth.specName}`);
        assert.equal(ajv.validate(authSpec.spec, auth.params), true, `${destination} auth: ${ajv.errorsText()}`);
        assert.equal(ajv.validate(authSpec.spec, {}), false, `${destination} auth params are required`);
      }
      const targetSchema = obj(obj(spec?.targetSpec).spec);
      const params = { ...locationFor(destination), mode: 'Server-to-server', compression: 'GZIP', datasetFileType: 'PARQUET' };
      assert.equal(ajv.validate(targetSchema, params), true, `${destination} target: ${ajv.errorsText()}`);
      assert.equal(ajv.validate(targetSchema, { ...params, datasetFileType: 'CSV' }), false, `${destination} rejects CSV`);
    }
  });

  test('GET /flowSpecs lists one dataset flow spec per destination, linking source and target specs', async () => {
    const response = await call(sim, { method: 'GET', path: `${FS}/flowSpecs` });
    assert.equal(response.status, 200);
    await assertMatchesSpec(response, { file: 'flow-service.yaml' });
    const specs = items(response.body);
    assert.equal(specs.length, 6);
    for (const destination of DESTINATION_KEYS) {
      const spec = specs.find((s) => s.id === DESTINATION_SPEC_IDS[destination].flowSpecId);
      assert.ok(spec, destination);
      assert.deepEqual(spec.sourceConnectionSpecIds, [DATA_LAKE_SOURCE_SPEC_ID]);
      assert.deepEqual(spec.targetConnectionSpecIds, [DESTINATION_SPEC_IDS[destination].connectionSpecId]);
    }
    const one = await call(sim, { method: 'GET', path: `${FS}/flowSpecs/${DESTINATION_SPEC_IDS.s3.flowSpecId}` });
    assert.equal(one.status, 200);
    await assertMatchesSpec(one, { file: 'flow-service.yaml' });
    const filtered = await call(sim, { method: 'GET', path: `${FS}/flowSpecs?property=targetConnectionSpecIds[]==${DESTINATION_SPEC_IDS.sftp.connectionSpecId}` });
    assert.deepEqual(items(filtered.body).map((s) => s.id), [DESTINATION_SPEC_IDS.sftp.flowSpecId]);
    assert.equal((await call(sim, { method: 'GET', path: `${FS}/flowSpecs/nope` })).status, 404);
  });
});
