// How the local ML platform reaches storage: plain HTTPS on the signed URLs the job was given,
// exactly what a Databricks notebook does with `requests` (docs/ml-platform.md). It holds no
// storage keys and touches no file system: a GET per training file, one PUT for the scores file.
import { request } from 'undici';
import { TrainingFilesDocumentSchema, type TrainingFile } from './job-contract.js';

/** The job's storage input is unusable (expired or refused URL, missing object): the run fails. */
export class StorageHandoffError extends Error {
  override name = 'StorageHandoffError';
}

const TIMEOUT_MS = 120_000;

/** Strips the query (the signature) so messages never carry credentials. */
function bare(url: string): string {
  const cut = url.indexOf('?');
  return cut === -1 ? url : url.slice(0, cut);
}

function refusal(what: string, url: string, status: number): StorageHandoffError {
  const hint = status === 403 ? ' (the signed URL was refused: expired or not valid for this object)' : status === 404 ? ' (no such object)' : '';
  return new StorageHandoffError(`${what} ${bare(url)} answered HTTP ${status}${hint}`);
}

export async function downloadSigned(url: string, what: string): Promise<Buffer> {
  let response;
  try {
    response = await request(url, { method: 'GET', headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
  } catch (error) {
    throw new StorageHandoffError(`${what} ${bare(url)} could not be fetched: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw refusal(what, url, response.statusCode);
  }
  return Buffer.from(await response.body.arrayBuffer());
}

export async function uploadSigned(url: string, headers: Record<string, string>, body: Buffer): Promise<void> {
  let response;
  try {
    response = await request(url, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/x-ndjson', 'content-length': String(body.length) },
      body,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
  } catch (error) {
    throw new StorageHandoffError(`the scores upload to ${bare(url)} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  await response.body.dump();
  if (response.statusCode < 200 || response.statusCode >= 300) throw refusal('the scores upload to', url, response.statusCode);
}

/** The training file list: inline, or the document `training_files_url` points at. */
export async function trainingFileList(input: { files?: TrainingFile[]; filesUrl?: string }): Promise<TrainingFile[]> {
  if (input.files !== undefined) return input.files;
  if (input.filesUrl === undefined) throw new StorageHandoffError('the job got neither training_files nor training_files_url');
  const text = (await downloadSigned(input.filesUrl, 'the training file list')).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StorageHandoffError('the training file list is not JSON');
  }
  const parsed = TrainingFilesDocumentSchema.safeParse(value);
  if (!parsed.success) throw new StorageHandoffError('the training file list is not {"files": [{uri, url, size}, ...]}');
  return parsed.data.files;
}
