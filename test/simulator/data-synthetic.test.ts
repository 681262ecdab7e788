// The synthetic data generator: MurmurHash3 against mmh3's published vectors, the notebooks' event
// shape and rules, and determinism per (seed, org, sandbox).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ecidForEmail, syntheticEmail } from '../../packages/stand-ins/src/simulator/datasets/ecid.js';
import { murmur3Hash64 } from '../../packages/stand-ins/src/simulator/datasets/murmur3.js';
import { EVENT_TYPES, SUBSCRIPTION_EVENT_TYPE, SYNTHETIC_WINDOW_START_MS } from '../../packages/stand-ins/src/simulator/datasets/synthetic-events.js';
import { generateSeededDatasets } from '../../packages/stand-ins/src/simulator/datasets/synthetic.js';

const scope = { seed: 7, orgId: 'TESTORG0000000000000000@AdobeOrg', sandbox: 'prod' };

interface EventRow {
  _id: string;
  eventType: string;
  timestamp: string;
  _cmle: { userid: string };
  directMarketing?: { emailVisitorID: string };
  web?: unknown;
}

void describe('simulator data: synthetic datasets', () => {
  void test('murmur3 hash64 matches the mmh3 test vectors the notebooks rely on', () => {
    assert.deepEqual(murmur3Hash64('foo'), [-2129773440516405919n, 9128664383759220103n]);
    assert.deepEqual(murmur3Hash64('The quick brown fox jumps over the lazy dog', 0x9747b28c), [8325606756057297185n, -484854449282476315n]);
    assert.deepEqual(murmur3Hash64(''), [0n, 0n]);
  });

  void test('ECIDs are the two hash halves of the synthetic e-mail, as 19-digit strings', () => {
    const email = syntheticEmail(42);
    assert.equal(email, 'synthetic-user-42@adobe.com');
    const [first, second] = murmur3Hash64(email);
    const abs = (x: bigint) => (x < 0n ? -x : x).toString();
    const ecid = ecidForEmail(email);
    // Both halves of this e-mail are 19 digits long, so no padding applies.
    assert.equal(abs(first).length, 19);
    assert.equal(abs(second).length, 19);
    assert.equal(ecid, abs(first) + abs(second));
  });

  void test('same seed, org and sandbox give the same datasets; another sandbox or seed gives others', () => {
    const a = generateSeededDatasets(scope, 40);
    const b = generateSeededDatasets(scope, 40);
    assert.deepEqual(a, b);
    const otherSandbox = generateSeededDatasets({ ...scope, sandbox: 'dev' }, 40);
    const otherSeed = generateSeededDatasets({ ...scope, seed: 8 }, 40);
    for (const other of [otherSandbox, otherSeed]) {
      assert.notDeepEqual(
        other.map((d) => d.id),
        a.map((d) => d.id),
      );
      assert.notDeepEqual(other[0]?.rows, a[0]?.rows);
    }
  });

  void test('events have the notebooks’ shape, types and subscription rule', () => {
    const datasets = generateSeededDatasets(scope, 200);
    const events = datasets.find((d) => d.key === 'experience-events');
    assert.ok(events);
    const rows = events.rows as unknown as EventRow[];
    assert.ok(rows.length > 200, 'several events per user');
    const byUser = new Map<string, EventRow[]>();
    for (const row of rows) {
      assert.ok(Object.hasOwn(EVENT_TYPES, row.eventType), row.eventType);
      assert.match(row._id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.ok(Date.parse(row.timestamp) >= SYNTHETIC_WINDOW_START_MS);
      assert.match(row._cmle.userid, /^\d{38,}$/);
      const isEmail = row.eventType.startsWith('directMarketing.');
      assert.equal(row.directMarketing !== undefined, isEmail, 'e-mail events carry directMarketing');
      assert.equal(row.web !== undefined, !isEmail, 'other events carry web');
      const list = byUser.get(row._cmle.userid) ?? [];
      list.push(row);
      byUser.set(row._cmle.userid, list);
    }
    assert.equal(byUser.size, 200);
    let subscribers = 0;
    for (const list of byUser.values()) {
      const times = list.map((r) => Date.parse(r.timestamp));
      assert.deepEqual(times, [...times].sort((x, y) => x - y), 'a user’s events are in time order');
      const subscriptions = list.filter((r) => r.eventType === SUBSCRIPTION_EVENT_TYPE);
      assert.ok(subscriptions.length <= 1, 'at most one subscription per user');
      const subscription = subscriptions[0];
      if (subscription === undefined) continue;
      subscribers++;
      const trigger = list.find(
        (r) =>
          Date.parse(r.timestamp) === Date.parse(subscription.timestamp) - 60_000 &&
          !r.eventType.startsWith('directMarketing') &&
          !r.eventType.startsWith('advertising'),
      );
      assert.ok(trigger, 'the subscription follows a web/commerce/decisioning event by 60 s');
    }
    assert.ok(subscribers > 0 && subscribers < 200, 'some, not all, users subscribe');
  });

  void test('the sandbox has an unlabelled event dataset, a profile dataset and C9, C12, PSPD, RHD datasets', () => {
    const datasets = generateSeededDatasets(scope, 10);
    assert.equal(datasets.find((d) => d.key === 'experience-events')?.labels, null);
    assert.equal(datasets.find((d) => d.key === 'profiles')?.kind, 'profile');
    const labels = datasets.flatMap((d) => d.labels?.labels ?? []).sort();
    assert.deepEqual(labels, ['C12', 'C9', 'PSPD', 'RHD']);
    assert.equal(new Set(datasets.map((d) => d.id)).size, datasets.length);
  });
});
