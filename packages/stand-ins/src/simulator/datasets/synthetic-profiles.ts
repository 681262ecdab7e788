// Synthetic profile records for the same users as the events: identity plus the demographic side
// table the Databricks variant of the notebooks builds with Faker.
import { ecidForEmail, syntheticEmail } from './ecid.js';
import { leaf, struct, type Field, type Row } from './fields.js';
import type { SeededRandom } from '../../common/prng.js';
import { SYNTHETIC_TENANT_FIELD } from './synthetic-events.js';

const GENDERS = ['male', 'female', 'non_specific', 'not_specified'] as const;
const STATES = ['CA', 'NY', 'TX', 'WA', 'FL', 'IL', 'MA', 'CO', 'GA', 'OR'] as const;
const OCCUPATIONS = ['engineer', 'teacher', 'nurse', 'designer', 'analyst', 'sales', 'student', 'retired'] as const;
const DEVICE_PLATFORMS = ['iOS', 'Android', 'Windows', 'macOS', 'Linux'] as const;

/** Columns of the profile datasets (XDM Individual Profile + the tenant field group). */
export const PROFILE_FIELDS: Field[] = [
  leaf('_id', 'string'),
  struct(SYNTHETIC_TENANT_FIELD, [
    leaf('userid', 'string'),
    leaf('age', 'integer'),
    leaf('occupation', 'string'),
    leaf('devicePlatform', 'string'),
  ]),
  struct('person', [leaf('gender', 'string')]),
  struct('personalEmail', [leaf('address', 'string')]),
  struct('homeAddress', [leaf('stateProvince', 'string'), leaf('postalCode', 'string')]),
];

export interface ProfileGenerationOptions {
  users: number;
  firstUser?: number;
}

/** One profile row per synthetic user. */
export function generateProfiles(rng: SeededRandom, options: ProfileGenerationOptions): Row[] {
  const rows: Row[] = [];
  const firstUser = options.firstUser ?? 0;
  for (let n = firstUser; n < firstUser + options.users; n++) {
    const email = syntheticEmail(n);
    rows.push({
      _id: rng.uuid(),
      [SYNTHETIC_TENANT_FIELD]: {
        userid: ecidForEmail(email),
        age: 18 + rng.int(63),
        occupation: rng.pick(OCCUPATIONS),
        devicePlatform: rng.pick(DEVICE_PLATFORMS),
      },
      person: { gender: rng.pick(GENDERS) },
      personalEmail: { address: email },
      homeAddress: { stateProvince: rng.pick(STATES), postalCode: String(10000 + rng.int(90000)) },
    });
  }
  return rows;
}
