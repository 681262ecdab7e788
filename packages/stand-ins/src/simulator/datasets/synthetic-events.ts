// Synthetic experience events shaped and distributed like the CMLE notebooks' simulation
// (SimulationHelpers.create_data_for_n_users + create_xdm_event), driven by a seeded PRNG.
import { ecidForEmail, syntheticEmail } from './ecid.js';
import { leaf, struct, type Field, type Row } from './fields.js';
import type { SeededRandom } from '../../common/prng.js';

/** The XDM tenant namespace of the synthetic schemas (`_{TENANT}` in the notebooks). */
export const SYNTHETIC_TENANT_FIELD = '_cmle';
/** The event type that marks a subscription: the notebooks' training label. */
export const SUBSCRIPTION_EVENT_TYPE = 'web.formFilledOut';

const N_WEEKS = 10;
const HOUR_MS = 3_600_000;
/**
 * The notebooks simulate a 10-week window that started 12 weeks before "now"; a fixed window keeps
 * the rows reproducible. Chosen so the data stays well inside Platform's 365-day export horizon.
 */
export const SYNTHETIC_WINDOW_START_MS = Date.UTC(2026, 1, 23);
const SYNTHETIC_WINDOW_END_MS = SYNTHETIC_WINDOW_START_MS + N_WEEKS * 7 * 24 * HOUR_MS;

interface EventTypeSpec {
  weeklyRate: number;
  propensityDelta: number;
  /** Mean delay after the event that triggers it (hours, exponential). */
  meanDelayHours: number;
}

/** Rates, propensity deltas and delays copied from the notebooks' `advertising_events` table. */
export const EVENT_TYPES = {
  'advertising.clicks': { weeklyRate: 0.01, propensityDelta: 0.002, meanDelayHours: 0.5 },
  'advertising.impressions': { weeklyRate: 0.1, propensityDelta: 0.001, meanDelayHours: 0 },
  'web.webpagedetails.pageViews': { weeklyRate: 0.1, propensityDelta: 0.005, meanDelayHours: 0.1 },
  'web.webinteraction.linkClicks': { weeklyRate: 0.05, propensityDelta: 0.005, meanDelayHours: 0.1 },
  'commerce.productViews': { weeklyRate: 0.05, propensityDelta: 0.005, meanDelayHours: 0.2 },
  'commerce.purchases': { weeklyRate: 0.01, propensityDelta: 0.1, meanDelayHours: 1 },
  'decisioning.propositionDisplay': { weeklyRate: 0.05, propensityDelta: 0.005, meanDelayHours: 0.1 },
  'decisioning.propositionInteract': { weeklyRate: 0.01, propensityDelta: 0.1, meanDelayHours: 0.05 },
  'decisioning.propositionDismiss': { weeklyRate: 0.01, propensityDelta: -0.2, meanDelayHours: 0.05 },
  'directMarketing.emailOpened': { weeklyRate: 0.2, propensityDelta: 0.02, meanDelayHours: 24 },
  'directMarketing.emailClicked': { weeklyRate: 0.05, propensityDelta: 0.1, meanDelayHours: 0.5 },
  'directMarketing.emailSent': { weeklyRate: 0.5, propensityDelta: 0.005, meanDelayHours: 0 },
  'web.formFilledOut': { weeklyRate: 0, propensityDelta: 0, meanDelayHours: 0 },
} as const satisfies Record<string, EventTypeSpec>;

export type EventType = keyof typeof EVENT_TYPES;

const BASE_EVENT_TYPES: EventType[] = ['advertising.impressions', 'web.webpagedetails.pageViews', 'directMarketing.emailSent'];

/** The notebooks' `event_dependencies`, in their order (the order matters, see below). */
const EVENT_DEPENDENCIES: [EventType, EventType[]][] = [
  ['advertising.impressions', ['advertising.clicks']],
  ['directMarketing.emailSent', ['directMarketing.emailOpened']],
  ['directMarketing.emailOpened', ['directMarketing.emailClicked']],
  ['directMarketing.emailClicked', ['web.webpagedetails.pageViews']],
  ['web.webpagedetails.pageViews', ['web.webinteraction.linkClicks', 'commerce.productViews', 'decisioning.propositionDisplay']],
  ['commerce.productViews', ['commerce.purchases']],
  ['decisioning.propositionDisplay', ['decisioning.propositionInteract', 'decisioning.propositionDismiss']],
];

/** Event types after which a successful Bernoulli draw inserts the subscription (not e-mail, not ads). */
function canTriggerSubscription(type: EventType): boolean {
  return !type.includes('directMarketing') && !type.includes('advertising');
}

const WEB_INTERACTION_CLICK_TYPES = new Set<EventType>([
  'advertising.clicks',
  'commerce.purchases',
  'web.webinteraction.linkClicks',
  'web.formFilledOut',
  'decisioning.propositionInteract',
  'decisioning.propositionDismiss',
]);
const INTERACTION_TYPES = ['download', 'exit', 'other'] as const;
const REFERRER_TYPES = ['internal', 'external', 'search_engine', 'email', 'social', 'unknown', 'usenet', 'typed_bookmarked'] as const;

const valueField = (name: string): Field => struct(name, [leaf('value', 'double')]);

/** Columns of the event datasets (XDM ExperienceEvent + direct marketing + web field groups). */
export const EXPERIENCE_EVENT_FIELDS: Field[] = [
  leaf('_id', 'string'),
  leaf('eventType', 'string'),
  leaf('timestamp', 'timestamp'),
  leaf('producedBy', 'string'),
  leaf('eventMergeId', 'string'),
  struct(SYNTHETIC_TENANT_FIELD, [leaf('userid', 'string')]),
  struct('directMarketing', [
    valueField('emailDelivered'),
    valueField('sends'),
    valueField('opens'),
    valueField('clicks'),
    valueField('offerOpens'),
    leaf('emailVisitorID', 'string'),
    leaf('hashedEmail', 'string'),
    leaf('messageID', 'string'),
  ]),
  struct('web', [
    struct('webInteraction', [valueField('linkClicks'), leaf('URL', 'string'), leaf('name', 'string'), leaf('region', 'string'), leaf('type', 'string')]),
    struct('webPageDetails', [
      valueField('pageViews'),
      leaf('URL', 'string'),
      leaf('isErrorPage', 'boolean'),
      leaf('name', 'string'),
      leaf('server', 'string'),
      leaf('siteSection', 'string'),
      leaf('viewName', 'string'),
    ]),
    struct('webReferrer', [leaf('URL', 'string'), leaf('type', 'string')]),
  ]),
];

interface SimulatedEvent {
  type: EventType;
  atMs: number;
}

/**
 * One user's event timeline, following the notebook's algorithm step by step, including its quirk:
 * each triggering event *replaces* (not extends) the list of its dependent events, so only the
 * last trigger's follow-ups survive. That quirk is what keeps the notebook at ~10 events per user
 * (1.06 M events for 100 k users); fixing it would multiply the volume.
 */
function simulateUserTimeline(rng: SeededRandom): SimulatedEvent[] {
  const byType = new Map<EventType, number[]>();
  const windowSeconds = (SYNTHETIC_WINDOW_END_MS - SYNTHETIC_WINDOW_START_MS) / 1000;
  for (const type of BASE_EVENT_TYPES) {
    const count = rng.poisson(EVENT_TYPES[type].weeklyRate * N_WEEKS);
    const times: number[] = [];
    for (let i = 0; i < count; i++) times.push(SYNTHETIC_WINDOW_START_MS + rng.int(windowSeconds) * 1000);
    byType.set(type, times);
  }
  for (const [trigger, dependents] of EVENT_DEPENDENCIES) {
    const triggerTimes = byType.get(trigger);
    if (triggerTimes === undefined) continue;
    for (const triggerAt of triggerTimes) {
      for (const dependent of dependents) {
        const count = rng.poisson(EVENT_TYPES[dependent].weeklyRate * N_WEEKS);
        const times: number[] = [];
        for (let i = 0; i < count; i++) {
          times.push(Math.round(triggerAt + rng.exponential(EVENT_TYPES[dependent].meanDelayHours) * HOUR_MS));
        }
        byType.set(dependent, times);
      }
    }
  }

  const events: SimulatedEvent[] = [];
  for (const [type, times] of byType) for (const atMs of times) events.push({ type, atMs });
  events.sort((a, b) => a.atMs - b.atMs);

  // Propensity walk: the list grows while we walk it, exactly like the notebook's Python loop.
  let propensity = 0.001;
  let subscribed = false;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (event === undefined) break;
    propensity = Math.min(1, Math.max(propensity + EVENT_TYPES[event.type].propensityDelta, 0));
    if (!subscribed && canTriggerSubscription(event.type)) {
      subscribed = rng.bernoulli(propensity);
      if (subscribed) events.push({ type: SUBSCRIPTION_EVENT_TYPE, atMs: event.atMs + 60_000 });
    }
  }
  events.sort((a, b) => a.atMs - b.atMs);
  return events;
}

function emailEvent(rng: SeededRandom, email: string, type: EventType): Row {
  const messageID = rng.uuid();
  if (type === 'directMarketing.emailSent') {
    return { emailDelivered: { value: 1 }, sends: { value: 1 }, emailVisitorID: email, hashedEmail: rng.alnum(10), messageID };
  }
  if (type === 'directMarketing.emailOpened') return { offerOpens: { value: 1 }, opens: { value: 1 }, emailVisitorID: email, messageID };
  return { clicks: { value: 1 }, offerOpens: { value: 1 }, emailVisitorID: email, messageID };
}

function webEvent(rng: SeededRandom, type: EventType): Row {
  const url = `http://www.${rng.alnum(5)}.com`;
  const referrerUrl = `http://www.${rng.alnum(5)}.com`;
  const name = rng.alnum(5);
  return {
    webInteraction: {
      linkClicks: { value: WEB_INTERACTION_CLICK_TYPES.has(type) ? 1 : 0 },
      URL: url,
      name,
      region: rng.alnum(5),
      type: rng.pick(INTERACTION_TYPES),
    },
    webPageDetails: {
      pageViews: { value: 1 },
      URL: url,
      isErrorPage: false,
      name,
      server: rng.alnum(10),
      siteSection: rng.letters(2),
      viewName: rng.letters(3),
    },
    webReferrer: { URL: referrerUrl, type: rng.pick(REFERRER_TYPES) },
  };
}

export interface EventGenerationOptions {
  users: number;
  /** Number of the first synthetic user (`synthetic-user-<n>@adobe.com`). */
  firstUser?: number;
}

/** Experience events of `users` synthetic users, grouped by user and ordered by time. */
export function generateExperienceEvents(rng: SeededRandom, options: EventGenerationOptions): Row[] {
  const rows: Row[] = [];
  const firstUser = options.firstUser ?? 0;
  for (let n = firstUser; n < firstUser + options.users; n++) {
    const email = syntheticEmail(n);
    const userid = ecidForEmail(email);
    for (const event of simulateUserTimeline(rng)) {
      const isEmail = event.type.startsWith('directMarketing');
      rows.push({
        _id: rng.uuid(),
        eventType: event.type,
        timestamp: new Date(event.atMs).toISOString(),
        producedBy: 'databricks-synthetic',
        [SYNTHETIC_TENANT_FIELD]: { userid },
        ...(isEmail ? { directMarketing: emailEvent(rng, email, event.type) } : { web: webEvent(rng, event.type) }),
      });
    }
  }
  return rows;
}
