// Rate limits shared by every API process (issue #15): two API processes (src/server.ts, each a
// child process) on one Redis see one budget per API key and one per client IP, not one each.
// With Redis down, both keep answering: limits are skipped while it is unreachable.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startChaosWorld, type ApiProcess, type ChaosWorld } from '../support/chaos/chaos-world.js';

const perKey = 6;
const perIp = 4;

describe('rate limits shared by two API processes', () => {
  let world: ChaosWorld;
  let apis: ApiProcess[];

  before(async () => {
    world = await startChaosWorld({
      label: 'ratelimit',
      simulator: { notReadySeconds: 1, runSeconds: 1 },
      env: { RATE_LIMIT_PER_MINUTE: String(perKey), RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: String(perIp) },
    });
    apis = [await world.startApi('api-1'), await world.startApi('api-2')];
  });
  after(async () => {
    await world?.close();
  });

  async function status(api: ApiProcess, path: string, key?: string): Promise<number> {
    const response = await fetch(`${api.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    await response.arrayBuffer();
    return response.status;
  }

  test("one API key's budget, spent half on each process", async () => {
    const [a, b] = apis as [ApiProcess, ApiProcess];
    const statuses: number[] = [];
    for (let i = 0; i < perKey; i++) statuses.push(await status(i % 2 === 0 ? a : b, '/tenant', world.apiKey));
    assert.deepEqual(statuses, Array.from({ length: perKey }, () => 200));
    // Each process alone has seen only half of its budget used; together they refuse.
    assert.equal(await status(a, '/tenant', world.apiKey), 429);
    assert.equal(await status(b, '/tenant', world.apiKey), 429);
  });

  test("one client IP's unauthenticated budget across both processes", async () => {
    const [a, b] = apis as [ApiProcess, ApiProcess];
    const statuses: number[] = [];
    for (let i = 0; i < perIp; i++) statuses.push(await status(i % 2 === 0 ? a : b, '/healthz'));
    assert.deepEqual(statuses, Array.from({ length: perIp }, () => 200));
    assert.equal(await status(b, '/healthz'), 429);
    assert.equal(await status(a, '/healthz'), 429);
  });

  test('Redis down: both processes keep answering (limits skipped)', async () => {
    await world.redis.kill();
    for (const api of apis) {
      assert.equal(await status(api, '/healthz'), 200, `${api.process.name} /healthz`);
      assert.equal(await status(api, '/tenant', world.apiKey), 200, `${api.process.name} /tenant`);
    }
    for (const api of apis) assert.equal(api.process.child.exitCode, null, `${api.process.name} kept running`);
  });
});
