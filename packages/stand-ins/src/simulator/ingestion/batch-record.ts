// A batch as the simulator keeps it. Statuses follow Catalog: `loading` while files are uploaded,
// `processing` after COMPLETE, then `success` or `failed`; `aborted` after ABORT.
import { randomBytes } from 'node:crypto';

export type BatchStatus = 'loading' | 'processing' | 'success' | 'failed' | 'aborted';

export interface BatchError {
  code: string;
  description: string;
  /** Rows (1-based within the file) or ranges such as "3-5". */
  rows?: string[];
}

export interface BatchRecord {
  id: string;
  orgId: string;
  sandbox: string;
  datasetId: string;
  status: BatchStatus;
  inputFormat: { format: 'json'; isMultiLineJson?: boolean };
  externalId?: string;
  tags: Record<string, string[]>;
  createdClient: string;
  createdUser: string;
  createdMs: number;
  updatedMs: number;
  /** When COMPLETE was signalled. */
  startedMs: number | null;
  completedMs: number | null;
  recordCount: number | null;
  failedRecordCount: number | null;
  inputFileCount: number | null;
  inputByteSize: number | null;
  errors: BatchError[];
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-shaped batch id (26 Crockford base-32 characters, time-ordered), like Catalog's. */
export function newBatchId(nowMs: number): string {
  let time = '';
  for (let n = nowMs, i = 0; i < 10; i++, n = Math.floor(n / 32)) time = (CROCKFORD[n % 32] ?? '0') + time;
  const random = [...randomBytes(16)].map((b) => CROCKFORD[b % 32] ?? '0').join('');
  return time + random;
}
