// What a SAS token says of itself, read without the Azure SDK (the Platform client reads the Data
// Landing Zone's SAS, and the store factory a connection string's, before any Azure client exists).

/** SAS tokens say when they expire in `se`; the Platform's may instead rely on a stored policy. */
export function sasExpiry(sasToken: string): Date | undefined {
  const se = new URLSearchParams(sasToken.replace(/^\?/, '')).get('se');
  if (se === null) return undefined;
  const at = new Date(se);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
