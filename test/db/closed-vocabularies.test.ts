// Status, step, state, kind and outcome columns are closed vocabularies: each carries a CHECK
// constraint (prisma/migrations/*_closed_vocabularies) whose list must equal the TypeScript union
// the code writes and reads. A value added on one side only fails here, not in production.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { exportRunStates, exportStatuses } from '../../src/exports/export-status.js';
import { asStep, exportSteps } from '../../src/exports/worker/export-model.js';
import { deliveryStates, notifiedResources } from '../../src/notifications/outbox.js';
import { stepKinds } from '../../src/pipelines/pipeline-definition.js';
import { pipelineStatuses, stepStates } from '../../src/pipelines/pipeline-status.js';
import { occurrenceOutcomes, scheduleStatuses } from '../../src/pipelines/schedules/schedule-schemas.js';
import { idempotencyStates } from '../../src/security/idempotency-store.js';
import { UnknownValueError } from '../../src/vocabulary.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const vocabularies: Record<string, readonly string[]> = {
  'exports.status': exportStatuses,
  'exports.step': exportSteps,
  'export_runs.state': exportRunStates,
  'pipelines.status': pipelineStatuses,
  'pipeline_steps.state': stepStates,
  'pipeline_steps.kind': stepKinds,
  'pipeline_schedules.status': scheduleStatuses,
  'pipeline_schedule_occurrences.outcome': occurrenceOutcomes,
  'notification_deliveries.state': deliveryStates,
  'notification_deliveries.resource_type': notifiedResources,
  'idempotency_keys.state': idempotencyStates,
};

let t: TestDatabase;
let client: pg.Client;
before(async () => {
  t = await createTestDatabase('vocab');
  client = new pg.Client({ connectionString: t.url });
  await client.connect();
});
after(async () => {
  await client.end();
  await t.drop();
});

test('every CHECK constraint lists exactly the values of its TypeScript vocabulary', async () => {
  const { rows } = await client.query<{ table_name: string; column_name: string; def: string }>(`
    SELECT c.conrelid::regclass::text AS table_name, a.attname AS column_name, pg_get_constraintdef(c.oid) AS def
    FROM pg_constraint c
    JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = 'public'
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
    WHERE c.contype = 'c'`);
  const actual = Object.fromEntries(rows.map((r) => [`${r.table_name}.${r.column_name}`, [...r.def.matchAll(/'([^']*)'::text/g)].map((m) => m[1])]));
  const expected = Object.fromEntries(Object.entries(vocabularies).map(([column, values]) => [column, [...values]]));
  assert.deepEqual(actual, expected);
});

test('the database refuses a value outside the vocabulary', async () => {
  await assert.rejects(
    client.query(
      `INSERT INTO idempotency_keys (tenant_id, key, method, path, body_hash, state, expires_at)
       VALUES (gen_random_uuid(), 'k', 'POST', '/exports', 'h', 'half_done', now())`,
    ),
    (err: unknown) => (err as { code?: string; constraint?: string }).code === '23514' && (err as { constraint?: string }).constraint === 'idempotency_keys_state_check',
  );
});

test('an unknown stored export step is an error, not a fresh start', () => {
  assert.equal(asStep('poll_run'), 'poll_run');
  assert.throws(() => asStep('poll_runs'), (err: unknown) => err instanceof UnknownValueError && err.value === 'poll_runs' && err.what === 'export step');
});
