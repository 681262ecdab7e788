// The names Query Service knows a dataset by: its Catalog `adobe/pqs/table` tag (cmle-pipeline-api
// reference 1.6: "the table name for a dataset is tags['adobe/pqs/table'][0]"), its id, and its
// name when that is a plain identifier (as CTAS outputs are), all lowercased.
import type { CatalogDataset } from '../platform/types.js';

const PQS_TABLE_TAG = 'adobe/pqs/table';

export function tableNamesOf(dataset: CatalogDataset): string[] {
  const names = [...(dataset.tags?.[PQS_TABLE_TAG] ?? []), dataset.id];
  if (dataset.name !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(dataset.name)) names.push(dataset.name);
  return names.map((n) => n.toLowerCase());
}

/** The one name to show a user for SQL: the `adobe/pqs/table` tag; null when Catalog gives none. */
export function queryServiceTableOf(dataset: Pick<CatalogDataset, 'tags'>): string | null {
  return dataset.tags?.[PQS_TABLE_TAG]?.[0] ?? null;
}
