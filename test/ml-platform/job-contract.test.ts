// The ML job contract has two readers that share no code: the service (src/ml-contract,
// src/webhooks) and the local ML platform (packages/stand-ins, which plays a data team's notebook
// and reads the contract from docs/ml-platform.md). These tests hold the two sides together: what
// the service sends, the job accepts as the same values; what the job writes and signs, the
// service reads and verifies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signedCallbackHeaders, webhookSecretProblem } from '../../packages/stand-ins/src/ml-platform/callback-signature.js';
import { StorageJobParametersSchema, encodeScoreLine as jobEncodeScoreLine } from '../../packages/stand-ins/src/ml-platform/job-contract.js';
import { storageJobParameters } from '../../src/ml-contract/job-parameters.js';
import { encodeScoreLine, parseScoreLine } from '../../src/ml-contract/scores-file.js';
import { generateWebhookSecret, verify } from '../../src/webhooks/standard-webhooks.js';

const expiresAt = new Date('2026-12-07T12:00:00.000Z');
const upload = {
  trainingUri: 's3://bucket/training/',
  scoresUri: 's3://bucket/scores/scores.json',
  scoresUploadUrl: 'https://storage.example/scores.json?sig=abc',
  scoresUploadHeaders: { 'x-ms-blob-type': 'BlockBlob' },
  expiresAt,
};

test('the job reads inline training files exactly as the service sends them', () => {
  const files = [{ uri: 's3://bucket/training/part-0.parquet', url: 'https://storage.example/part-0?sig=1', size: 1234 }];
  const parsed = StorageJobParametersSchema.parse(storageJobParameters({ ...upload, training: { files } }));
  assert.deepEqual(parsed.training_files, files);
  assert.equal(parsed.training_files_url, undefined);
  assert.equal(parsed.training_uri, upload.trainingUri);
  assert.equal(parsed.scores_uri, upload.scoresUri);
  assert.equal(parsed.scores_upload_url, upload.scoresUploadUrl);
  assert.deepEqual(parsed.scores_upload_headers, upload.scoresUploadHeaders);
  assert.equal(parsed.credentials_expire_at, expiresAt.toISOString());
});

test('the job reads a training file list passed by reference', () => {
  const parsed = StorageJobParametersSchema.parse(storageJobParameters({ ...upload, training: { filesUrl: 'https://storage.example/files.json?sig=2' } }));
  assert.equal(parsed.training_files_url, 'https://storage.example/files.json?sig=2');
  assert.equal(parsed.training_files, undefined);
});

test('the job refuses parameters the contract does not allow', () => {
  const sent = storageJobParameters({ ...upload, training: { filesUrl: 'https://storage.example/files.json' } });
  const result = StorageJobParametersSchema.safeParse({ ...sent, scores_upload_headers: 'not json' });
  assert.equal(result.success, false);
  assert.match(JSON.stringify(result.error?.issues), /must be JSON text/);
});

test('a scores line the job writes is the line the service writes and reads', () => {
  const line = { userId: 'ecid-42', propensity: 0.8125 };
  const written = jobEncodeScoreLine(line);
  assert.equal(written, encodeScoreLine(line));
  assert.deepEqual(parseScoreLine(written.trimEnd(), 1), line);
});

test("the job's signed callback verifies with the service's Standard Webhooks check", () => {
  const secret = generateWebhookSecret();
  assert.equal(webhookSecretProblem(secret), undefined);
  const body = JSON.stringify({ type: 'run.completed', data: { run_id: 7 } });
  const now = Date.now();
  const headers = signedCallbackHeaders({ id: 'msg_1', timestampSeconds: Math.floor(now / 1000), body, secret });
  assert.deepEqual(verify({ headers, rawBody: body, secrets: secret, now }), { ok: true, id: 'msg_1', timestamp: Math.floor(now / 1000) });
  assert.equal(verify({ headers, rawBody: `${body} `, secrets: secret, now }).ok, false);
});

test('the job refuses a callback secret that is not a Standard Webhooks secret', () => {
  assert.match(webhookSecretProblem('whsec_short') ?? '', /whsec_/);
  assert.match(webhookSecretProblem('not base64!') ?? '', /whsec_/);
});
