// From a stored destination (the one mapping the worker and the destination service use) to the Platform's base connection auth and target connection params
// (reference sections 2.4 and 3), for every destination type.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createSecretBox, parseKeyring } from '../../src/crypto/secret-box.js';
import { CreateDestinationBodySchema } from '../../src/destinations/destination-schemas.js';
import { platformDestinationOf, targetConnectionParams } from '../../src/destinations/platform-destination.js';
import { DESTINATION_SPECS } from '../../src/platform/spec-ids.js';
import { fakeDestinationBodies } from '../support/api.js';

const secrets = createSecretBox(parseKeyring(`t:${randomBytes(32).toString('base64')}`));

const expectedAuth = {
  dlz: null,
  s3: { specName: 'Access Key', params: { s3AccessKey: fakeDestinationBodies.s3.credentials.s3AccessKey, s3SecretKey: fakeDestinationBodies.s3.credentials.s3SecretKey } },
  'azure-blob': { specName: 'ConnectionString', params: { connectionString: fakeDestinationBodies['azure-blob'].credentials.connectionString } },
  'adls-gen2': { specName: 'Azure Service Principal Auth', params: { url: fakeDestinationBodies['adls-gen2'].params.url, ...fakeDestinationBodies['adls-gen2'].credentials } },
  gcs: { specName: 'Google Cloud Storage authentication credentials', params: { ...fakeDestinationBodies.gcs.credentials } },
  sftp: { specName: 'SFTP with Password', params: { domain: 'sftp.example.com', port: fakeDestinationBodies.sftp.params.port, username: 'fake-user', password: 'fake-password' } },
};

const expectedLocation = {
  dlz: { path: 'ml/x' },
  s3: { bucketName: 'fake-bucket', path: 'ml/x' },
  'azure-blob': { container: 'fake-container', path: 'ml/x' },
  'adls-gen2': { path: 'ml/x' },
  gcs: { bucketName: 'fake-bucket', path: 'ml/x' },
  sftp: { remotePath: 'ml/x' },
};

for (const [type, fixture] of Object.entries(fakeDestinationBodies)) {
  test(`${type}: base connection auth and target params as the Platform specs name them`, () => {
    const body = CreateDestinationBodySchema.parse(fixture);
    const row = {
      type: body.type,
      params: body.params,
      credentialsSealed: 'credentials' in body ? secrets.seal(JSON.stringify(body.credentials)) : null,
    };
    const platform = platformDestinationOf(row, secrets);
    assert.deepEqual(platform.auth, expectedAuth[body.type]);
    assert.deepEqual(targetConnectionParams(platform, { path: 'ml/x', format: 'json', compression: 'gzip' }), {
      mode: 'Server-to-server',
      datasetFileType: 'JSON',
      compression: 'GZIP',
      ...expectedLocation[body.type],
    });
    assert.ok(Object.values(DESTINATION_SPECS).some((spec) => spec.connectionSpecId === platform.connectionSpecId && spec.datasetFlowSpecId === platform.flowSpecId));
    assert.match(platform.connectionSpecId, /^[0-9a-f-]{36}$/);
  });
}

test('S3 assumed role and SFTP SSH key use their own auth specs', () => {
  const role = { authType: 'assumed-role', s3Role: 'arn:aws:iam::123456789012:role/fake-export-role' };
  const s3 = { type: 's3', params: { bucketName: 'fake-bucket' }, credentialsSealed: secrets.seal(JSON.stringify(role)) };
  assert.deepEqual(platformDestinationOf(s3, secrets).auth, { specName: 'Assumed Role', params: { s3Role: role.s3Role } });
  const key = { authType: 'ssh-key', username: 'fake-user', sshKey: Buffer.from('fake private key for tests only, not a real key').toString('base64') };
  const sftp = { type: 'sftp', params: { domain: 'sftp.example.com' }, credentialsSealed: secrets.seal(JSON.stringify(key)) };
  assert.deepEqual(platformDestinationOf(sftp, secrets).auth, { specName: 'SFTP with SSH Key', params: { domain: 'sftp.example.com', username: 'fake-user', sshKey: key.sshKey } });
});
