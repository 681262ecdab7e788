// Simulator configuration from the environment: defaults, profiles, clients, faults, overrides.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_SIMULATOR_CLIENT_ID,
  DEFAULT_SIMULATOR_CLIENT_SECRET,
  DEFAULT_SIMULATOR_ORG_ID,
  loadSimulatorConfig,
} from '../../packages/stand-ins/src/simulator/config.js';

describe('loadSimulatorConfig', () => {
  test('defaults: port 4010, fast profile, the local client, no faults', () => {
    const config = loadSimulatorConfig({});
    assert.equal(config.port, 4010);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dbSchema, 'simulator');
    assert.equal(config.databaseUrl, 'postgresql://postgres@127.0.0.1:5432/aep_jobs');
    assert.equal(config.profile, 'fast');
    assert.equal(config.notReadySeconds, 2);
    assert.equal(config.runDurationSeconds, 1);
    assert.equal(config.tokenTtlSeconds, 86399);
    assert.deepEqual(config.clients, [{ clientId: DEFAULT_SIMULATOR_CLIENT_ID, clientSecret: DEFAULT_SIMULATOR_CLIENT_SECRET, orgId: DEFAULT_SIMULATOR_ORG_ID }]);
    assert.deepEqual(config.faults.rules, []);
    assert.equal(config.adminToken, undefined);
  });

  test('the realistic profile waits like the Platform unless told otherwise', () => {
    const realistic = loadSimulatorConfig({ SIMULATOR_PROFILE: 'realistic' });
    assert.equal(realistic.notReadySeconds, 600);
    assert.equal(realistic.runDurationSeconds, 120);
    const tuned = loadSimulatorConfig({ SIMULATOR_PROFILE: 'realistic', SIMULATOR_NOT_READY_SECONDS: '5', SIMULATOR_RUN_SECONDS: '0' });
    assert.equal(tuned.notReadySeconds, 5);
    assert.equal(tuned.runDurationSeconds, 0);
    assert.equal(loadSimulatorConfig({}, { profile: 'realistic' }).notReadySeconds, 600, 'an overridden profile picks its defaults');
  });

  test('database url: SIMULATOR_DATABASE_URL wins over DATABASE_URL', () => {
    assert.equal(loadSimulatorConfig({ DATABASE_URL: 'postgresql://a/one' }).databaseUrl, 'postgresql://a/one');
    assert.equal(loadSimulatorConfig({ DATABASE_URL: 'postgresql://a/one', SIMULATOR_DATABASE_URL: 'postgresql://b/two' }).databaseUrl, 'postgresql://b/two');
  });

  test('SIMULATOR_CLIENTS lists clientId:clientSecret:orgId entries', () => {
    const config = loadSimulatorConfig({ SIMULATOR_CLIENTS: 'fake-a:secret-a:ORGA@AdobeOrg, fake-b:secret-b:ORGB@AdobeOrg' });
    assert.deepEqual(config.clients, [
      { clientId: 'fake-a', clientSecret: 'secret-a', orgId: 'ORGA@AdobeOrg' },
      { clientId: 'fake-b', clientSecret: 'secret-b', orgId: 'ORGB@AdobeOrg' },
    ]);
    assert.throws(() => loadSimulatorConfig({ SIMULATOR_CLIENTS: 'only-an-id' }), /clientId:clientSecret:orgId/);
  });

  test('SIMULATOR_FAULTS is JSON validated against the fault schema', () => {
    const config = loadSimulatorConfig({ SIMULATOR_FAULTS: '{"latencyMs":20,"rules":[{"effect":"rateLimit","rate":0.1}],"failNextRuns":2}' });
    assert.equal(config.faults.latencyMs, 20);
    assert.equal(config.faults.failNextRuns, 2);
    assert.equal(config.faults.rules[0]?.effect, 'rateLimit');
    assert.throws(() => loadSimulatorConfig({ SIMULATOR_FAULTS: 'not json' }), /JSON/);
    assert.throws(() => loadSimulatorConfig({ SIMULATOR_FAULTS: '{"rules":[{"effect":"rateLimit","rate":2}]}' }));
  });

  test('rejects unsafe schema names and bad ports; overrides apply last', () => {
    assert.throws(() => loadSimulatorConfig({ SIMULATOR_DB_SCHEMA: 'drop table;' }));
    assert.throws(() => loadSimulatorConfig({}, { dbSchema: 'Robert"); --' }));
    assert.throws(() => loadSimulatorConfig({ SIMULATOR_PORT: '70000' }));
    const config = loadSimulatorConfig({ SIMULATOR_PORT: '5000', SIMULATOR_ADMIN_TOKEN: 'fake-admin' }, { port: 0 });
    assert.equal(config.port, 0);
    assert.equal(config.adminToken, 'fake-admin');
  });
});
