// The read benchmark's history: `rows` finished exports of one tenant, written straight into the
// database with INSERT ... SELECT generate_series (a million POSTs would take an hour and measure
// the write path). Each row looks like one the worker finished: a flow binding per dataset, one
// run per export, terminal statuses (so no sweeper or worker would touch them), and created_at
// spread evenly over `spanDays` so the keyset order is the time order.
import type pg from 'pg';

export interface SeedOptions {
  rows: number;
  tenantId: string;
  destinationId: string;
  datasetIds: string[];
  spanDays: number;
}

export interface SeedResult {
  rows: number;
  runs: number;
  flowBindings: number;
  /** INSERTs of bindings, exports and runs. */
  insertSeconds: number;
  /** VACUUM ANALYZE afterwards: statistics for the planner, and the visibility map and hint bits
   * autovacuum would have set on an old table (else the first reads would write them). */
  vacuumAnalyzeSeconds: number;
  tableMiB: Record<string, number>;
}

const seconds = (since: number): number => Math.round((performance.now() - since) / 100) / 10;

export async function seedExports(pool: pg.Pool, options: SeedOptions): Promise<SeedResult> {
  const insertStart = performance.now();
  const bindings = await pool.query<{ id: string; dataset_id: string; path: string }>(
    `INSERT INTO flow_bindings (id, tenant_id, destination_id, dataset_id, path, format, compression, schedule_key,
                                source_connection_id, target_connection_id, flow_id, created_at, updated_at)
     SELECT gen_random_uuid(), $1::uuid, $2::uuid, d.dataset_id, 'bench/read/' || d.n, 'parquet', 'gzip', 'on-demand',
            'sc-bench-' || d.n, 'tc-bench-' || d.n, 'flow-bench-' || d.n, now() - make_interval(days => $3), now()
     FROM unnest($4::text[]) WITH ORDINALITY AS d(dataset_id, n)
     RETURNING id::text, dataset_id, path`,
    [options.tenantId, options.destinationId, options.spanDays, options.datasetIds],
  );
  const bindingIds = bindings.rows.map((b) => b.id);

  // Row i: created spacing x i after the start of the span; 85 % succeeded, 10 % failed, 5 % cancelled.
  const spacingMs = (options.spanDays * 86_400_000) / options.rows;
  await pool.query(
    `INSERT INTO exports (id, tenant_id, destination_id, flow_binding_id, dataset_id, path, format, compression,
                          status, step, error, next_check_at, attempts, created_at, updated_at, finished_at)
     SELECT gen_random_uuid(), $1::uuid, $2::uuid, b.id, b.dataset_id, b.path, 'parquet', 'gzip',
            s.status, s.step, s.error, t.finished_at, 1, t.created_at, t.finished_at, t.finished_at
     FROM generate_series(1, $3::int) AS g(i)
     CROSS JOIN LATERAL (SELECT now() - make_interval(days => $4) + make_interval(secs => g.i * $5::float8 / 1000) AS created_at) c
     CROSS JOIN LATERAL (SELECT c.created_at, c.created_at + make_interval(secs => 20 + g.i % 40) AS finished_at) t
     CROSS JOIN LATERAL (
       SELECT CASE WHEN g.i % 10 = 0 THEN 'failed' WHEN g.i % 20 = 1 THEN 'cancelled' ELSE 'succeeded' END AS status
     ) st
     CROSS JOIN LATERAL (
       SELECT st.status,
              CASE st.status WHEN 'succeeded' THEN 'done' WHEN 'cancelled' THEN 'cancelled' ELSE 'poll_run' END AS step,
              CASE WHEN st.status = 'failed'
                   THEN jsonb_build_object('code', 'run_failed', 'message', 'The Platform run failed.', 'platformCode', 'EXPORT-500', 'step', 'poll_run')
              END AS error
     ) s
     CROSS JOIN LATERAL (
       SELECT ($6::uuid[])[1 + g.i % cardinality($6::uuid[])] AS id,
              ($7::text[])[1 + g.i % cardinality($7::text[])] AS dataset_id,
              ($8::text[])[1 + g.i % cardinality($8::text[])] AS path
     ) b`,
    [
      options.tenantId,
      options.destinationId,
      options.rows,
      options.spanDays,
      spacingMs,
      bindingIds,
      bindings.rows.map((b) => b.dataset_id),
      bindings.rows.map((b) => b.path),
    ],
  );
  // One run per export, in the state its export ended in.
  const runs = await pool.query(
    `INSERT INTO export_runs (id, export_id, state, platform_run_id, files, bytes, records, errors, requested_at, started_at, completed_at)
     SELECT gen_random_uuid(), e.id,
            CASE e.status WHEN 'succeeded' THEN 'succeeded' WHEN 'failed' THEN 'failed' ELSE 'cancelled' END,
            CASE WHEN e.status = 'cancelled' THEN NULL ELSE 'run-' || e.id::text END,
            CASE WHEN e.status = 'succeeded' THEN 4 END,
            CASE WHEN e.status = 'succeeded' THEN 52428800 END,
            CASE WHEN e.status = 'succeeded' THEN 1000000 END,
            CASE WHEN e.status = 'failed' THEN '[{"code": "EXPORT-500", "message": "The Platform run failed."}]'::jsonb END,
            e.created_at,
            CASE WHEN e.status = 'cancelled' THEN NULL ELSE e.created_at + interval '2 seconds' END,
            e.finished_at
     FROM exports e WHERE e.tenant_id = $1::uuid`,
    [options.tenantId],
  );
  const insertSeconds = seconds(insertStart);

  const vacuumStart = performance.now();
  await pool.query('VACUUM (ANALYZE) flow_bindings, exports, export_runs');
  const vacuumAnalyzeSeconds = seconds(vacuumStart);

  const sizes = await pool.query<{ name: string; bytes: string }>(
    `SELECT c.relname AS name, pg_total_relation_size(c.oid)::text AS bytes
     FROM pg_class c WHERE c.relname IN ('exports', 'export_runs')`,
  );
  const tableMiB = Object.fromEntries(sizes.rows.map((r) => [r.name, Math.round(Number(r.bytes) / 2 ** 20)]));
  return { rows: options.rows, runs: runs.rowCount ?? 0, flowBindings: bindingIds.length, insertSeconds, vacuumAnalyzeSeconds, tableMiB };
}

/** `count` export ids of the tenant, drawn at random from the whole table. */
export async function randomExportIds(pool: pg.Pool, tenantId: string, count: number): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>('SELECT id::text AS id FROM exports WHERE tenant_id = $1::uuid ORDER BY random() LIMIT $2', [
    tenantId,
    count,
  ]);
  return rows.map((r) => r.id);
}
