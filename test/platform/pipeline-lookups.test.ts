// The pipeline client's find-by-name lookups against the Platform's list answers: Schema Registry
// field groups and schemas (`results`, `_page.next`, orderby/start paging) and segment definitions
// (`segments`, `page`, no name filter), each found among more than 100 by paging.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPlatformClient, type PlatformClient } from '../../src/platform/client.js';
import { createTokenCache } from '../../src/platform/token-cache.js';
import { startSimulator, type TestSimulator } from '../support/simulator.js';
import { targetFor } from './support.js';

const PROFILE_CLASS = 'https://ns.adobe.com/xdm/context/profile';
const COUNT = 105;

describe('pipeline lookups page through the Platform lists', () => {
  let sim: TestSimulator;
  let client: PlatformClient;
  let calls: string[];

  async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${sim.url}${path}`, { method: 'POST', headers: await sim.headers(), body: JSON.stringify(body) });
    assert.ok(response.status < 300, `${path}: ${response.status} ${await response.clone().text()}`);
    return (await response.json()) as Record<string, unknown>;
  }

  before(async () => {
    sim = await startSimulator({ seedUsers: 20 });
    calls = [];
    client = createPlatformClient({ target: targetFor(sim), tokens: createTokenCache(), onCall: (event) => calls.push(event.endpoint) });
    for (let i = 0; i < COUNT; i++) {
      const n = String(i).padStart(3, '0');
      const group = await post('/data/foundation/schemaregistry/tenant/fieldgroups', {
        title: `group ${n}`,
        type: 'object',
        'meta:intendedToExtend': [PROFILE_CLASS],
        definitions: { f: { properties: { _cmle: { type: 'object', properties: { [`v${n}`]: { type: 'string' } } } } } },
        allOf: [{ $ref: '#/definitions/f' }],
      });
      await post('/data/foundation/schemaregistry/tenant/schemas', { title: `schema ${n}`, type: 'object', allOf: [{ $ref: PROFILE_CLASS }, { $ref: group.$id }] });
      await post('/data/core/ups/segment/definitions', { name: `segment ${n}`, expression: { type: 'PQL', format: 'pql/text', value: `_cmle.v${n} = "x"` }, schema: { name: '_xdm.context.profile' } });
    }
  });

  after(async () => {
    await client?.close();
    await sim?.close();
  });

  it('finds the last field group and schema by title on the second page', async () => {
    calls.length = 0;
    const group = await client.findFieldGroupByTitle(`group ${COUNT - 1}`);
    assert.equal(group?.title, `group ${COUNT - 1}`);
    assert.equal(calls.filter((c) => c === 'fieldgroups.list').length, 2, 'two pages of 100');
    const schema = await client.findSchemaByTitle(`schema ${COUNT - 1}`);
    assert.equal(schema?.title, `schema ${COUNT - 1}`);
    assert.equal(await client.findSchemaByTitle('no such schema'), null);
  });

  it('finds the last segment definition by name on the second page, and none for an unknown name', async () => {
    calls.length = 0;
    const found = await client.findSegmentDefinitionByName(`segment ${COUNT - 1}`);
    assert.equal(found?.name, `segment ${COUNT - 1}`);
    assert.equal(calls.filter((c) => c === 'segmentDefinitions.list').length, 2);
    assert.equal(await client.findSegmentDefinitionByName('no such segment'), null);
  });

  it("answers in Adobe's list shapes", async () => {
    const headers = await sim.headers({ accept: 'application/vnd.adobe.xed-id+json' });
    const registry = (await (await fetch(`${sim.url}/data/foundation/schemaregistry/tenant/fieldgroups?orderby=title&limit=100`, { headers })).json()) as {
      results: unknown[];
      _page: { next: string | null; count: number };
    };
    assert.equal(registry.results.length, 100);
    assert.equal(registry._page.count, 100);
    assert.equal(registry._page.next, 'group 099');
    const segments = (await (await fetch(`${sim.url}/data/core/ups/segment/definitions?limit=100&page=1`, { headers: await sim.headers() })).json()) as {
      segments: unknown[];
      page: { totalCount: number; totalPages: number };
    };
    assert.equal(segments.segments.length, COUNT - 100);
    assert.deepEqual([segments.page.totalCount, segments.page.totalPages], [COUNT, 2]);
  });
});
