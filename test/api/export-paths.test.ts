// Export paths and bucket names against Adobe's per-destination patterns, at accept time: 400
// problem+json naming `path` (exports, pipeline steps) or `bucketName` (destinations), and folder
// names bounded in length, so nothing fails minutes later at the run.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { destinationPathProblem, exportPathProblem, MAX_FOLDER_NAME_LENGTH } from '../../src/exports/export-path.js';
import { bodyOf, fakeDestinationBodies, startTestApi, type TestApi } from '../support/api.js';

interface Problem {
  errors?: { pointer: string; message: string }[];
}

function expectProblemAt(res: { statusCode: number; body: string; headers: Record<string, unknown> }, pointer: string): Problem {
  assert.equal(res.statusCode, 400, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const problem = JSON.parse(res.body) as Problem;
  assert.ok(problem.errors?.some((e) => e.pointer === pointer), `expected ${pointer} in ${res.body}`);
  return problem;
}

describe('path rules', () => {
  test("S3 and GCS paths follow ^[0-9a-zA-Z/!\\-_.*'()]*, Azure Blob ^[0-9a-zA-Z/!\\-_.*'()]+$; DLZ, ADLS Gen2 and SFTP publish none", () => {
    for (const type of ['s3', 'gcs', 'azure-blob']) {
      assert.equal(destinationPathProblem(type, "ml/exports-1_2.x/*!'()"), null, type);
      for (const bad of ['with space', 'a#b', 'a?b', 'a%20b', 'ü', 'a+b', 'a,b']) assert.notEqual(destinationPathProblem(type, bad), null, `${type} ${bad}`);
    }
    for (const type of ['dlz', 'adls-gen2', 'sftp']) assert.equal(destinationPathProblem(type, 'dir with spaces/x'), null, type);
  });

  test(`folder names longer than ${MAX_FOLDER_NAME_LENGTH} characters are refused`, () => {
    assert.equal(exportPathProblem(`a/${'x'.repeat(MAX_FOLDER_NAME_LENGTH)}`), null);
    assert.match(exportPathProblem(`a/${'x'.repeat(MAX_FOLDER_NAME_LENGTH + 1)}/b`) ?? '', /longer than 255/);
  });
});

describe('400s naming the field', () => {
  let api: TestApi;
  const destinations: Record<string, string> = {};

  before(async () => {
    api = await startTestApi();
    for (const type of ['s3', 'gcs', 'azure-blob', 'dlz'] as const) {
      const res = await api.post(api.keys.tenantA, '/destinations', fakeDestinationBodies[type]);
      assert.equal(res.statusCode, 201, res.body);
      destinations[type] = bodyOf<{ id: string }>(res).id;
    }
  });

  after(async () => {
    await api?.close();
  });

  const exportBody = (destinationId: string | undefined, path: string) => ({ datasetId: '0123456789abcdef01234567', destinationId, path, format: 'parquet', compression: 'gzip' });

  test('POST /exports: a path outside the destination\'s pattern names /path', async () => {
    for (const type of ['s3', 'gcs', 'azure-blob']) {
      const problem = expectProblemAt(await api.post(api.keys.tenantA, '/exports', exportBody(destinations[type], 'ml exports/2030')), '/path');
      assert.match(problem.errors?.[0]?.message ?? '', /letters, digits/);
    }
    expectProblemAt(await api.post(api.keys.tenantA, '/exports', exportBody(destinations.dlz, `ml/${'x'.repeat(1000)}`)), '/path');
  });

  test('POST /pipelines: an activation path outside the destination\'s pattern names the step\'s path', async () => {
    const res = await api.post(api.keys.tenantA, '/pipelines', {
      name: 'bad path',
      steps: [{ kind: 'activate', name: 'activation', segmentId: 'seg-1', destinationId: destinations.s3, path: 'audiences/a#b' }],
    });
    expectProblemAt(res, '/steps/0/path');
  });

  test('POST /destinations: a GCS bucket starting with "goog" or containing "google" names /params/bucketName', async () => {
    for (const bucketName of ['goog-exports', 'my-google-exports']) {
      const problem = expectProblemAt(await api.post(api.keys.tenantA, '/destinations', { ...fakeDestinationBodies.gcs, params: { bucketName } }), '/params/bucketName');
      assert.match(JSON.stringify(problem), /goog/);
    }
  });
});
