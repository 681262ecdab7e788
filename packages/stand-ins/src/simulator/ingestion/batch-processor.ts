// Processes completed batches: parses every file, checks each row holds the dataset's primary
// identity, and either appends all rows to the dataset (`success`) or none (`failed`, with
// errors[] naming files and rows), the Platform's default without partial ingestion. One due batch
// at a time, locked FOR UPDATE SKIP LOCKED, so processes sharing a schema never process it twice.
import type { SimulatorContext, Tenancy } from '../context.js';
import { datasetStoreFor } from '../datasets/dataset-store.js';
import type { Row } from '../datasets/fields.js';
import { datasetProfileInfo } from '../schema-registry/dataset-profile.js';
import { parseBatchFile } from './batch-file-parser.js';
import type { BatchError, BatchRecord } from './batch-record.js';
import { BatchStore } from './batch-store.js';

interface Evaluation {
  rows: Row[];
  failedRecordCount: number;
  inputRecordCount: number;
  errors: BatchError[];
  inputFileCount: number;
  inputByteSize: number;
}

export class BatchProcessor {
  readonly store: BatchStore;

  constructor(private readonly ctx: SimulatorContext) {
    this.store = new BatchStore(ctx.pool, ctx.schema);
  }

  /** Processes due batches until none is left (or `limit` were done); returns how many. */
  async processDue(limit = 20): Promise<number> {
    let done = 0;
    if (!(await this.store.anyDue(this.ctx.now()))) return done;
    while (done < limit && (await this.processOne())) done++;
    return done;
  }

  private async processOne(): Promise<boolean> {
    const client = await this.store.connect();
    try {
      await client.query('BEGIN');
      const batch = await this.store.lockDue(client, this.ctx.now());
      if (batch === null) {
        await client.query('ROLLBACK');
        return false;
      }
      const tenancy: Tenancy = { orgId: batch.orgId, sandbox: batch.sandbox };
      const evaluation = await this.evaluate(tenancy, batch);
      const nowMs = this.ctx.now();
      const failed = evaluation.errors.length > 0;
      if (!failed) await datasetStoreFor(this.ctx).appendRows(tenancy, batch.datasetId, evaluation.rows);
      const next: BatchRecord = {
        ...batch,
        status: failed ? 'failed' : 'success',
        updatedMs: nowMs,
        completedMs: nowMs,
        recordCount: failed ? 0 : evaluation.rows.length,
        failedRecordCount: evaluation.failedRecordCount,
        inputFileCount: evaluation.inputFileCount,
        inputByteSize: evaluation.inputByteSize,
        errors: evaluation.errors,
      };
      await this.store.transition(tenancy, batch.id, ['processing'], next, null, client);
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async evaluate(t: Tenancy, batch: BatchRecord): Promise<Evaluation> {
    const dataset = await datasetStoreFor(this.ctx).getDataset(t, batch.datasetId);
    const files = await this.store.files(t, batch.id);
    const base = { inputFileCount: files.length, inputByteSize: files.reduce((n, f) => n + f.bytes.byteLength, 0) };
    if (dataset === null) {
      return { ...base, rows: [], failedRecordCount: 0, inputRecordCount: 0, errors: [{ code: 'INGEST-1005-404', description: `Dataset ${batch.datasetId} no longer exists` }] };
    }
    if (files.length === 0) {
      return { ...base, rows: [], failedRecordCount: 0, inputRecordCount: 0, errors: [{ code: 'INGEST-1004-400', description: 'The batch has no files; upload at least one before COMPLETE' }] };
    }
    const { identityPath } = await datasetProfileInfo(this.ctx, t, dataset);
    const rows: Row[] = [];
    const errors: BatchError[] = [];
    let failedRecordCount = 0;
    for (const file of files) {
      const parsed = parseBatchFile(file.fileName, file.bytes, identityPath);
      rows.push(...parsed.rows);
      errors.push(...parsed.errors);
      failedRecordCount += parsed.failedRows.length;
    }
    return { ...base, rows, errors, failedRecordCount, inputRecordCount: rows.length + failedRecordCount };
  }
}

const processors = new WeakMap<SimulatorContext, BatchProcessor>();

export function batchProcessorFor(ctx: SimulatorContext): BatchProcessor {
  let processor = processors.get(ctx);
  if (processor === undefined) {
    processor = new BatchProcessor(ctx);
    processors.set(ctx, processor);
  }
  return processor;
}
