// Synthetic ECIDs exactly as the CMLE notebooks build them (SimulationHelpers.get_ecid).
import { murmur3Hash64 } from './murmur3.js';

/** The synthetic e-mail of user n, the notebooks' user key. */
export function syntheticEmail(userNumber: number): string {
  return `synthetic-user-${userNumber}@adobe.com`;
}

/**
 * The notebooks' normalize_ecid: absolute value, and when shorter than 19 digits it is prefixed
 * with "0123..." (not zeros) up to 19 digits. Kept as is so ids match data made by the notebooks.
 */
function normalizeEcidPart(part: bigint): string {
  const digits = (part < 0n ? -part : part).toString();
  if (digits.length === 19) return digits;
  let prefix = '';
  for (let i = 0; i < 19 - digits.length; i++) prefix += String(i);
  return prefix + digits;
}

/** A 38-digit ECID: both murmur3 64-bit halves of the e-mail, normalised and concatenated. */
export function ecidForEmail(email: string): string {
  const [first, second] = murmur3Hash64(email);
  return normalizeEcidPart(first) + normalizeEcidPart(second);
}
