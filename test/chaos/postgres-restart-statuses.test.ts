// Issue #15: a Postgres restart under load answers 503 with Retry-After, never 500. The API process
// runs on a private cluster (never the shared server); lanes of requests (accepts, reads, key
// lookups of unknown keys, which always reach the database) run while the cluster restarts twice,
// and every status is counted. The first restart is `pg_ctl restart -m fast`; during its startup the
// server refuses connections with 57P03 "the database system is starting up", the case the probe
// saw answered 500 (Prisma P2039 wrapping it during the API-key lookup).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startChaosWorld, type ChaosWorld } from '../support/chaos/chaos-world.js';
import { spreadExports, type ExportSpec } from '../support/chaos/export-batch.js';

const LANES = 8;

interface Answer {
  what: string;
  status: number;
  contentType: string;
  retryAfter: string | null;
  body: string;
}

describe('chaos: Postgres restarted under a burst of requests', () => {
  let world: ChaosWorld;
  let specs: ExportSpec[];
  let exportId = '';

  before(async () => {
    world = await startChaosWorld({
      label: 'pg503',
      privatePostgres: true,
      simulator: { notReadySeconds: 1, runSeconds: 1 },
      // Unknown keys are part of the burst; their IP budget is not under test.
      env: { RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '1000000' },
    });
    await world.startApi();
    const datasets = await world.datasets();
    const destination = await world.createDestination({ type: 'dlz', name: 'pg503', params: {} });
    specs = spreadExports(8, 8, [destination], [...datasets.values()]);
    const first = await world.request<{ id: string }>('POST', '/exports', specs[0]);
    assert.equal(first.status, 202, JSON.stringify(first.body));
    exportId = first.body.id;
  });

  after(async () => {
    await world?.close();
  });

  async function send(what: string, method: string, path: string, body: unknown, authorization: string): Promise<Answer> {
    const response = await fetch(`${world.api.url}${path}`, {
      method,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      what,
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      retryAfter: response.headers.get('retry-after'),
      body: (await response.text()).slice(0, 300),
    };
  }

  test('every answer during two restarts is a success or a 503 problem+json with Retry-After; none is a 500', async (t) => {
    const postgres = world.postgres ?? assert.fail('no private cluster');
    const answers: Answer[] = [];
    const networkErrors: string[] = [];
    const bearer = `Bearer ${world.apiKey}`;
    let stop = false;
    let n = 0;
    const lane = async (): Promise<void> => {
      while (!stop) {
        const i = n++;
        const spec = specs[i % specs.length] as ExportSpec;
        // A well-formed key nobody issued: its lookup always goes to the database (no cache).
        const unknownKey = `Bearer aepj_${randomUUID().replaceAll('-', '').slice(0, 12)}_${'A'.repeat(43)}`;
        const request =
          i % 3 === 0
            ? send('POST /exports', 'POST', '/exports', spec, bearer)
            : i % 3 === 1
              ? send('GET /exports/:id', 'GET', `/exports/${exportId}`, undefined, bearer)
              : send('GET /tenant (unknown key)', 'GET', '/tenant', undefined, unknownKey);
        try {
          answers.push(await request);
        } catch (error) {
          networkErrors.push(String((error as { cause?: { code?: string } }).cause?.code ?? error));
        }
      }
    };
    const lanes = Array.from({ length: LANES }, lane);
    await sleep(300);
    await postgres.restart();
    await sleep(500);
    await postgres.restart();
    await sleep(1000);
    stop = true;
    await Promise.all(lanes);

    const counts = new Map<string, number>();
    for (const a of answers) counts.set(`${a.what} ${a.status}`, (counts.get(`${a.what} ${a.status}`) ?? 0) + 1);
    const figure = `postgres-restart: ${answers.length} answers, ${networkErrors.length} network errors; ${[...counts.entries()].map(([k, v]) => `${k}: ${v}`).join(', ')}`;
    t.diagnostic(figure);
    console.log(figure);

    assert.deepEqual(answers.filter((a) => a.status >= 500 && a.status !== 503), [], 'no 5xx other than 503');
    const unavailable = answers.filter((a) => a.status === 503);
    assert.ok(unavailable.length > 0, 'requests met the restarts (otherwise the test proves nothing)');
    for (const a of unavailable) {
      assert.match(a.contentType, /^application\/problem\+json/, a.body);
      assert.ok(Number(a.retryAfter) >= 1, `Retry-After on ${a.what}: ${String(a.retryAfter)}`);
      assert.equal((JSON.parse(a.body) as { code: string }).code, 'service_unavailable');
    }
    const expected: Record<string, number[]> = {
      'POST /exports': [202, 503],
      'GET /exports/:id': [200, 503],
      'GET /tenant (unknown key)': [401, 503],
    };
    assert.deepEqual(answers.filter((a) => !expected[a.what]?.includes(a.status)), []);
    // The API never went away: its socket kept answering.
    assert.deepEqual(networkErrors, []);
    assert.equal(world.api.process.child.exitCode, null);
  });
});
