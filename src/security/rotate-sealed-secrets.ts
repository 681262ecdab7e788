// Re-seals every sealed column (src/security/sealed-columns.ts) with the keyring's active key, so an
// old key can then be removed. Idempotent (values already under the active key are not touched),
// resumable (it pages by row, and a rerun picks up whatever is left) and safe next to a running
// service (each value is replaced only if unchanged). Values no key of the ring opens are reported
// by row id and left as they are.
import type { SecretBox } from '../crypto/secret-box.js';
import type { DbOrTx } from '../db/client.js';
import { sealedColumns as allSealedColumns, type SealedColumn } from './sealed-columns.js';

export interface ColumnReport {
  /** Values found under another key. */
  found: number;
  resealed: number;
  /** Changed by someone else between read and write (a rerun looks at them again). */
  changedMeanwhile: number;
  /** Row ids whose value no key of the ring opens. */
  unopenable: string[];
}

export interface RotationReport {
  activeKeyId: string;
  columns: Record<string, ColumnReport>;
  /** True when maxValues stopped the run early; run again to finish. */
  stoppedEarly: boolean;
}

export interface RotationOptions {
  batchSize?: number;
  /** Stop after re-sealing this many values (to bound one run; the next run resumes). */
  maxValues?: number;
  /** Count only, change nothing. */
  dryRun?: boolean;
  columns?: readonly SealedColumn[];
}

/** "v1.<activeKeyId>." — how every value sealed with the active key begins. */
function activePrefix(secrets: SecretBox): string {
  const parts = secrets.seal('').split('.');
  return `${parts.slice(0, 2).join('.')}.`;
}

export async function rotateSealedSecrets(db: DbOrTx, secrets: SecretBox, options: RotationOptions = {}): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 500;
  const prefix = activePrefix(secrets);
  const report: RotationReport = { activeKeyId: secrets.activeKeyId, columns: {}, stoppedEarly: false };
  let budget = options.maxValues ?? Infinity;

  for (const column of options.columns ?? allSealedColumns) {
    const counts: ColumnReport = { found: 0, resealed: 0, changedMeanwhile: 0, unopenable: [] };
    report.columns[column.name] = counts;
    let after: string | null = null;
    for (;;) {
      const page = await column.page(db, prefix, after, batchSize);
      for (const value of page) {
        if (budget <= 0) {
          report.stoppedEarly = true;
          return report;
        }
        after = value.cursor;
        counts.found++;
        let resealed: string;
        try {
          resealed = secrets.seal(secrets.open(value.sealed));
        } catch {
          counts.unopenable.push(value.id);
          continue;
        }
        if (options.dryRun) continue;
        if (await column.replace(db, value, value.sealed, resealed)) {
          counts.resealed++;
          budget--;
        } else {
          counts.changedMeanwhile++;
        }
      }
      if (page.length < batchSize) break;
    }
  }
  return report;
}
