// The README's shell examples, run as written against the service. A block is run when the line
// before it is `<!-- example: run by test/docs/readme-examples.test.ts -->` (an HTML comment, so the
// README reads as before), and every shell block that calls the API must carry that mark. The one
// change: the API's origin http://127.0.0.1:3000 becomes the test service's. The blocks run under
// bash with `set -euo pipefail` and `curl` failing on HTTP errors, in a directory whose
// data/local-api-key holds a tenant key (as after `npm start`); $ADMIN_KEY is an admin key. Each
// block ends by printing one answer, checked here (the query preview's block prints two).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startListeningWorld, type ListeningWorld } from '../ops/support.js';
import { runToEnd } from '../support/processes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const mark = '<!-- example: run by test/docs/readme-examples.test.ts -->';
const documentedOrigin = 'http://127.0.0.1:3000';

interface Block {
  /** The heading the block sits under. */
  section: string;
  marked: boolean;
  text: string;
}

function shellBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let section = '';
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('#')) section = line.replace(/^#+\s*/, '');
    if (line !== '```sh') continue;
    const end = lines.indexOf('```', i + 1);
    blocks.push({ section, marked: lines[i - 1] === mark, text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}


const readme = await readFile(join(root, 'README.md'), 'utf8');
const blocks = shellBlocks(readme);

describe('README examples', () => {
  let world: ListeningWorld;
  let dir: string;
  before(async () => {
    world = await startListeningWorld();
    dir = await mkdtemp(join(tmpdir(), 'readme-'));
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'data', 'local-api-key'), `${world.api.keys.tenantA}\n`);
  });
  after(async () => {
    await world?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('every shell block that calls the API is marked to run here', () => {
    const unmarked = blocks.filter((b) => !b.marked && b.text.includes(documentedOrigin));
    assert.deepEqual(unmarked.map((b) => b.section), []);
    assert.ok(blocks.filter((b) => b.marked).length >= 2, 'the README has runnable examples');
  });

  for (const block of blocks.filter((b) => b.marked)) {
    test(`"${block.section}" runs as written`, async () => {
      const script = ['set -euo pipefail', 'curl() { command curl --fail-with-body --show-error "$@"; }', block.text.replaceAll(documentedOrigin, world.baseUrl)].join('\n');
      // Not spawnSync: the API answering the example runs in this process.
      const run = await runToEnd('bash', ['--noprofile', '--norc', '-c', script], { cwd: dir, env: { PATH: process.env.PATH ?? '', ADMIN_KEY: world.api.keys.adminA } });
      assert.equal(run.code, 0, `exit ${String(run.code)}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
      // Each example ends by printing an answer of the API (jq prints a top-level object from column 0).
      const last = block.text.includes('/queries/preview') ? run.stdout.lastIndexOf('\n{') + 1 : run.stdout.indexOf('{');
      const answer = JSON.parse(run.stdout.slice(last)) as Record<string, unknown>;
      if (block.text.includes('/queries/preview')) {
        const tables = JSON.parse(run.stdout.slice(0, last)) as { tableName: string | null; fields: string[] }[];
        const events = tables.find((t) => t.tableName === 'cmle_experience_events');
        assert.ok(events?.fields.includes('_cmle.userid'), run.stdout.slice(0, last));
        const preview = answer as { columns: { name: string; type: string }[]; rowCount: number; truncated: boolean; first: Record<string, unknown> };
        assert.deepEqual(preview.columns, [{ name: 'userId', type: 'string' }, { name: 'events', type: 'integer' }]);
        assert.ok(preview.rowCount > 0 && preview.rowCount <= 100);
        assert.equal(typeof preview.first.events, 'number');
      } else if (block.text.includes('/admin/tenants')) {
        const created = answer as { tenant: { name: string; platform: { scopes: string[]; target: string } }; apiKey: { key: string } };
        assert.equal(created.tenant.name, 'marketing-ds');
        assert.equal(created.tenant.platform.target, 'prod');
        assert.deepEqual(created.tenant.platform.scopes, ['openid', 'AdobeID', 'read_organizations', 'additional_info.projectedProductContext', 'session']);
        assert.match(created.apiKey.key, /^aepj_/);
      } else {
        const view = answer as { id: string; status: string; step: string };
        assert.match(view.id, /^[0-9a-f-]{36}$/);
        assert.ok(['queued', 'running', 'waiting_for_platform', 'succeeded'].includes(view.status), view.status);
      }
    });
  }
});
