// The datasets every simulated sandbox starts with: CMLE-shaped experience events and profiles,
// some carrying governance labels (C9, C12, PSPD, RHD). Ids and rows are pure functions of
// (simulator seed, org, sandbox), so a re-seeded sandbox is identical.
import { createHash } from 'node:crypto';
import type { Field, Row } from './fields.js';
import { SeededRandom } from '../../common/prng.js';
import { EXPERIENCE_EVENT_FIELDS, generateExperienceEvents } from './synthetic-events.js';
import { generateProfiles, PROFILE_FIELDS } from './synthetic-profiles.js';

export type SyntheticKind = 'experienceEvent' | 'profile';

export interface OptionalLabel {
  option: { id: string; contentType: string; schemaPath: string };
  labels: string[];
}

/** A dataset's usage labels entity (Dataset Service `LabelPayload`). */
export interface DatasetLabels {
  labels: string[];
  optionalLabels: OptionalLabel[];
}

export interface SchemaRef {
  id: string;
  contentType: string;
}

export interface SeededDataset {
  id: string;
  key: string;
  name: string;
  description: string;
  kind: SyntheticKind;
  schemaRef: SchemaRef;
  tags: Record<string, string[]>;
  fields: Field[];
  /** null: the dataset has no labels entity (the Dataset Service answers 404). */
  labels: DatasetLabels | null;
  rows: Row[];
}

interface SeededDatasetSpec {
  key: string;
  name: string;
  description: string;
  kind: SyntheticKind;
  /** Share of the configured seed users this dataset covers. */
  userShare: number;
  labels: (schemaId: string) => DatasetLabels | null;
  profileEnabled: boolean;
}

const XDM_FULL_CONTENT_TYPE = 'application/vnd.adobe.xed-full+json;version=1';

const SPECS: SeededDatasetSpec[] = [
  {
    key: 'experience-events',
    name: 'CMLE Synthetic Experience Events',
    description: 'Experience events of the CMLE notebooks (e-mail, web, commerce, decisioning); web.formFilledOut marks a subscription.',
    kind: 'experienceEvent',
    userShare: 1,
    labels: () => null,
    profileEnabled: true,
  },
  {
    key: 'profiles',
    name: 'CMLE Synthetic Profiles',
    description: 'One profile per synthetic user, with demographic attributes.',
    kind: 'profile',
    userShare: 1,
    labels: (schemaId) => ({
      labels: [],
      optionalLabels: [
        { option: { id: schemaId, contentType: XDM_FULL_CONTENT_TYPE, schemaPath: '/properties/personalEmail/properties/address' }, labels: ['I1'] },
      ],
    }),
    profileEnabled: true,
  },
  {
    key: 'events-no-data-science',
    name: 'CMLE Events (no data science)',
    description: 'Experience events whose contract forbids data science use (C9).',
    kind: 'experienceEvent',
    userShare: 0.5,
    labels: () => ({ labels: ['C9'], optionalLabels: [] }),
    profileEnabled: false,
  },
  {
    key: 'contacts-no-export',
    name: 'CMLE Contacts (no export)',
    description: 'Profiles that may not be exported in any way (C12).',
    kind: 'profile',
    userShare: 1,
    labels: () => ({ labels: ['C12'], optionalLabels: [] }),
    profileEnabled: false,
  },
  {
    key: 'sensitive-profiles',
    name: 'CMLE Sensitive Profile Attributes',
    description: 'Profiles holding permitted sensitive personal data (PSPD).',
    kind: 'profile',
    userShare: 1,
    labels: () => ({ labels: ['PSPD'], optionalLabels: [] }),
    profileEnabled: false,
  },
  {
    key: 'health-events',
    name: 'CMLE Health Events',
    description: 'Experience events treated as regulated health data (RHD).',
    kind: 'experienceEvent',
    userShare: 0.33,
    labels: () => ({ labels: ['RHD'], optionalLabels: [] }),
    profileEnabled: false,
  },
];

export interface SeedScope {
  seed: number;
  orgId: string;
  sandbox: string;
}

function digestHex(parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** A Catalog-style id (24 hex characters) that only depends on the seed scope and a key. */
export function stableHexId(scope: SeedScope, key: string): string {
  return digestHex([scope.seed, scope.orgId, scope.sandbox, key]).slice(0, 24);
}

/** The PRNG stream of one dataset's rows; `extra` separates later batches (appended rows). */
export function datasetRandom(scope: SeedScope, key: string, extra = ''): SeededRandom {
  return new SeededRandom([scope.seed, scope.orgId, scope.sandbox, key, extra].join('|'));
}

export function fieldsFor(kind: SyntheticKind): Field[] {
  return kind === 'experienceEvent' ? EXPERIENCE_EVENT_FIELDS : PROFILE_FIELDS;
}

/** Generates `count` rows of the given kind for users numbered from `firstUser`. */
export function generateSyntheticRows(rng: SeededRandom, kind: SyntheticKind, count: number, firstUser: number): Row[] {
  if (kind === 'profile') return generateProfiles(rng, { users: count, firstUser });
  const rows: Row[] = [];
  // Events come per user; draw users until there are enough, then cut at `count`.
  for (let user = firstUser; rows.length < count; user++) {
    rows.push(...generateExperienceEvents(rng, { users: 1, firstUser: user }));
  }
  return rows.slice(0, count);
}

/** The seeded datasets of one sandbox, rows included. */
export function generateSeededDatasets(scope: SeedScope, seedUsers: number): SeededDataset[] {
  return SPECS.map((spec) => {
    const users = seedUsers === 0 ? 0 : Math.max(1, Math.round(seedUsers * spec.userShare));
    const rng = datasetRandom(scope, spec.key);
    const rows = spec.kind === 'experienceEvent' ? generateExperienceEvents(rng, { users }) : generateProfiles(rng, { users });
    const schemaId = `https://ns.adobe.com/cmle/schemas/${digestHex([spec.kind]).slice(0, 32)}`;
    const tableName = `cmle_${spec.key.replaceAll('-', '_')}`;
    return {
      id: stableHexId(scope, `dataset:${spec.key}`),
      key: spec.key,
      name: spec.name,
      description: spec.description,
      kind: spec.kind,
      schemaRef: { id: schemaId, contentType: XDM_FULL_CONTENT_TYPE },
      tags: {
        'adobe/pqs/table': [tableName],
        ...(spec.profileEnabled ? { unifiedProfile: ['enabled:true'], unifiedIdentity: ['enabled:true'] } : {}),
      },
      fields: fieldsFor(spec.kind),
      labels: spec.labels(schemaId),
      rows,
    };
  });
}
