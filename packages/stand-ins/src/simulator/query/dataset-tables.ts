// How Query Service names datasets: each dataset is a table under its Catalog `adobe/pqs/table`
// tag, its name (when that is a plain identifier, as for CTAS outputs) and its id. Lookups are
// case-insensitive, like Data Distiller's; on a name clash the older dataset wins.
import type { Tenancy } from '../context.js';
import type { DatasetStore, StoredDataset } from '../datasets/dataset-store.js';

export const PQS_TABLE_TAG = 'adobe/pqs/table';
const PAGE = 100;

/** The table name Query Service derives from a dataset name: lowercase, non-alphanumerics as `_`. */
export function tableNameFor(datasetName: string): string {
  const normalised = datasetName.trim().toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return normalised === '' ? 'dataset' : /^[0-9]/.test(normalised) ? `t_${normalised}` : normalised;
}

export function tableNamesOf(dataset: StoredDataset): string[] {
  const names = [...(dataset.tags[PQS_TABLE_TAG] ?? []), dataset.id];
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(dataset.name)) names.push(dataset.name);
  return names.map((n) => n.toLowerCase());
}

export class DatasetTables {
  private byName: Map<string, StoredDataset> | null = null;

  constructor(
    private readonly store: DatasetStore,
    private readonly tenancy: Tenancy,
  ) {}

  /** The dataset a table name (or dataset name, for CTAS/ITAS targets) refers to, if any. */
  async resolve(name: string): Promise<StoredDataset | null> {
    const index = await this.index();
    return index.get(name.toLowerCase()) ?? index.get(tableNameFor(name)) ?? null;
  }

  /** Forget the cached listing (after a CTAS created a dataset). */
  invalidate(): void {
    this.byName = null;
  }

  private async index(): Promise<Map<string, StoredDataset>> {
    if (this.byName !== null) return this.byName;
    const byName = new Map<string, StoredDataset>();
    for (let start = 0; ; start += PAGE) {
      const page = await this.store.listDatasets(this.tenancy, { start, limit: PAGE });
      for (const dataset of page.items) {
        for (const name of tableNamesOf(dataset)) if (!byName.has(name)) byName.set(name, dataset);
        byName.set(dataset.name.toLowerCase(), byName.get(dataset.name.toLowerCase()) ?? dataset);
      }
      if (page.items.length < PAGE || start + PAGE >= page.total) break;
    }
    this.byName = byName;
    return byName;
  }
}
