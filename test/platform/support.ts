// Helpers shared by the Platform client tests: a target pointing at a test simulator, reading the
// simulator's issued-token table, and a pino logger whose output the test can inspect.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { PlatformCallEvent, PlatformClient } from '../../src/platform/client.js';
import { DESTINATION_SPECS } from '../../src/platform/spec-ids.js';
import type { PlatformTarget } from '../../src/platform/types.js';
import type { TestSimulator } from '../support/simulator.js';

export function targetFor(sim: TestSimulator, overrides: Partial<PlatformTarget> = {}): PlatformTarget {
  return {
    imsUrl: sim.url,
    platformUrl: sim.url,
    orgId: sim.orgId,
    sandbox: sim.sandbox,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    scopes: ['openid', 'AdobeID', 'read_organizations'],
    ...overrides,
  };
}

/** How many tokens the simulator's IMS has issued to this client (one row per token request). */
export async function issuedTokenCount(sim: TestSimulator): Promise<number> {
  const { rows } = await sim.ctx.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${sim.ctx.schema}".ims_tokens WHERE client_id = $1`,
    [sim.clientId],
  );
  return rows[0]?.n ?? 0;
}

/** Expiry (ms since epoch) of every issued token, oldest first. */
export async function issuedTokenExpiries(sim: TestSimulator): Promise<number[]> {
  const { rows } = await sim.ctx.pool.query<{ expires_at_ms: string }>(
    `SELECT expires_at_ms FROM "${sim.ctx.schema}".ims_tokens WHERE client_id = $1 ORDER BY created_at, expires_at_ms`,
    [sim.clientId],
  );
  return rows.map((row) => Number(row.expires_at_ms));
}

/**
 * Makes every token issued so far unacceptable to the simulator's gateway (it answers 401), through
 * its admin route: the gateway keeps a grant it read for a moment, and that route forgets them too.
 */
export async function expireIssuedTokens(sim: TestSimulator): Promise<void> {
  const response = await fetch(`${sim.url}/simulator/admin/tokens/expire`, { method: 'POST' });
  if (response.status !== 200) throw new Error(`expiring the simulator's tokens: ${response.status} ${await response.text()}`);
}

export interface CapturedLogger {
  logger: Logger;
  text(): string;
}

/** A debug-level pino logger writing into memory. */
export function captureLogs(): CapturedLogger {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), text: () => chunks.join('') };
}

/** Records every HTTP exchange with the time it ended (performance.now()). */
export interface RecordedCall extends PlatformCallEvent {
  endedAt: number;
}

export function callRecorder(): { calls: RecordedCall[]; onCall: (event: PlatformCallEvent) => void } {
  const calls: RecordedCall[] = [];
  return { calls, onCall: (event) => calls.push({ ...event, endedAt: performance.now() }) };
}

/** Names unique to one test run, so find-by-name never sees another test's objects. */
export function uniqueName(label: string): string {
  return `${label} ${randomUUID().slice(0, 8)}`;
}

export interface ExportChain {
  baseConnectionId: string;
  sourceConnectionId: string;
  targetConnectionId: string;
  flowId: string;
  datasetId: string;
  name: string;
}

/** Creates base, source and target connections and a parked flow to the Data Landing Zone. */
export async function createDlzExportChain(client: PlatformClient, datasetId: string, name: string): Promise<ExportChain> {
  const dlz = DESTINATION_SPECS.dataLandingZone;
  const base = await client.createBaseConnection({ name, connectionSpecId: dlz.connectionSpecId, auth: null });
  const source = await client.createSourceConnection({ name, datasetId });
  const target = await client.createTargetConnection({
    name,
    baseConnectionId: base.id,
    connectionSpecId: dlz.connectionSpecId,
    params: { mode: 'Server-to-server', compression: 'GZIP', datasetFileType: 'PARQUET', path: '/exports/tests' },
  });
  const flow = await client.createFlow({
    name,
    flowSpecId: dlz.datasetFlowSpecId,
    sourceConnectionId: source.id,
    targetConnectionId: target.id,
    scheduleParams: parkedSchedule(),
  });
  return { baseConnectionId: base.id, sourceConnectionId: source.id, targetConnectionId: target.id, flowId: flow.id, datasetId, name };
}

/** aepp's "parked" schedule: daily, starting a year from now (used only for ad hoc runs). */
export function parkedSchedule(): { interval: number; timeUnit: string; startTime: number } {
  return { interval: 1, timeUnit: 'day', startTime: Math.floor(Date.now() / 1000) + 365 * 24 * 3600 };
}
