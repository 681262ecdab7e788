// Test-only featurization in TypeScript, after the CMLE notebooks' Week 2 SQL: per user and event,
// running counts (`SUM(CASE ...) OVER (PARTITION BY userid ORDER BY timestamp ROWS ... CURRENT ROW)`)
// and minutes since the previous matching event (TIME_BETWEEN_PREVIOUS_MATCH; null when none).
// One row per user: the subscription row of subscribers, one seeded-random row of everyone else.
// (The notebook's `propositionDismiss` typo is not reproduced: the feature uses the real type.)
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaf, type Field, type Row } from '../../packages/stand-ins/src/simulator/datasets/fields.js';
import { SeededRandom } from '../../packages/stand-ins/src/common/prng.js';
import { generateExperienceEvents, SUBSCRIPTION_EVENT_TYPE, SYNTHETIC_TENANT_FIELD } from '../../packages/stand-ins/src/simulator/datasets/synthetic-events.js';
import { writeExport, type ExportResult } from '../../packages/stand-ins/src/simulator/landing/export-writer.js';
import { folderSink } from '../support/folder-sink.js';

const COUNTS: [string, string][] = [
  ['emailsReceived', 'directMarketing.emailSent'],
  ['emailsOpened', 'directMarketing.emailOpened'],
  ['emailsClicked', 'directMarketing.emailClicked'],
  ['productsViewed', 'commerce.productViews'],
  ['propositionInteracts', 'decisioning.propositionInteract'],
  ['propositionDismissed', 'decisioning.propositionDismiss'],
  ['webLinkClicks', 'web.webinteraction.linkClicks'],
];
const RECENCY: [string, string][] = [
  ['minutes_since_emailSent', 'directMarketing.emailSent'],
  ['minutes_since_emailOpened', 'directMarketing.emailOpened'],
  ['minutes_since_emailClick', 'directMarketing.emailClicked'],
  ['minutes_since_productView', 'commerce.productViews'],
  ['minutes_since_propositionInteract', 'decisioning.propositionInteract'],
  ['minutes_since_propositionDismiss', 'decisioning.propositionDismiss'],
  ['minutes_since_linkClick', 'web.webinteraction.linkClicks'],
];

export const TRAINING_SET_FIELDS: Field[] = [
  leaf('userId', 'string'),
  leaf('eventType', 'string'),
  leaf('timestamp', 'timestamp'),
  leaf('subscriptionOccurred', 'long'),
  ...COUNTS.map(([name]) => leaf(name, 'long')),
  ...RECENCY.map(([name]) => leaf(name, 'double')),
];

export interface TrainingExample {
  userId: string;
  label: 0 | 1;
  row: Row;
}

interface UserEvent {
  eventType: string;
  atMs: number;
}

function featuresAt(events: readonly UserEvent[], index: number): Row {
  const current = events[index] as UserEvent;
  const upTo = events.slice(0, index + 1);
  const row: Row = {};
  for (const [name, type] of COUNTS) row[name] = upTo.filter((e) => e.eventType === type).length;
  for (const [name, type] of RECENCY) {
    const previous = events.slice(0, index).filter((e) => e.eventType === type).at(-1);
    row[name] = previous === undefined ? null : (current.atMs - previous.atMs) / 60_000;
  }
  return row;
}

/** Synthetic events of `users` users, featurized into one training row per user. */
export function syntheticTrainingSet(users: number, seed: string): TrainingExample[] {
  const rows = generateExperienceEvents(new SeededRandom(`${seed}|events`), { users });
  const byUser = new Map<string, UserEvent[]>();
  for (const row of rows) {
    const userId = (row[SYNTHETIC_TENANT_FIELD] as { userid: string }).userid;
    const list = byUser.get(userId) ?? [];
    list.push({ eventType: String(row.eventType), atMs: Date.parse(String(row.timestamp)) });
    byUser.set(userId, list);
  }
  const pick = new SeededRandom(`${seed}|pick`);
  const examples: TrainingExample[] = [];
  for (const [userId, events] of byUser) {
    events.sort((a, b) => a.atMs - b.atMs);
    const subscription = events.findIndex((e) => e.eventType === SUBSCRIPTION_EVENT_TYPE);
    const label = subscription >= 0 ? 1 : 0;
    const index = subscription >= 0 ? subscription : pick.int(events.length);
    const event = events[index] as UserEvent;
    examples.push({
      userId,
      label,
      row: { userId, eventType: event.eventType, timestamp: new Date(event.atMs).toISOString(), subscriptionOccurred: label, ...featuresAt(events, index) },
    });
  }
  return examples;
}

/** Lands the examples like a dataset export (gzip Parquet parts + manifest) under `targetPath`. */
export async function landTrainingSet(landingRoot: string, examples: readonly TrainingExample[], targetPath = 'cmle/egress'): Promise<ExportResult> {
  return writeExport({
    sink: folderSink(landingRoot),
    targetPath,
    datasetId: 'mltrainingset01',
    flowId: 'test-flow',
    flowRunId: 'test-flow-run',
    exportMode: 'FULL',
    exportTimeMs: Date.UTC(2026, 4, 1, 12, 0),
    format: 'PARQUET',
    compression: 'GZIP',
    fields: TRAINING_SET_FIELDS,
    rows: examples.map((e) => e.row),
    rowsPerPart: 400,
  });
}

export function temporaryLandingZone(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ml-landing-'));
}
