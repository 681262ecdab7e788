// Valid request bodies for every destination (obviously fake credentials) and a helper that
// creates a whole export chain: base connection -> source connection -> target connection -> flow.
import { DATA_LAKE_SOURCE_SPEC_ID, DESTINATION_KEYS, DESTINATION_SPEC_IDS, type DestinationKey } from '../../../packages/stand-ins/src/simulator/flow-service/spec-ids.js';
import type { TestSimulator } from '../../support/simulator.js';
import { call, obj } from './platform-call.js';

export const FS = '/data/foundation/flowservice';
export { DESTINATION_KEYS, DESTINATION_SPEC_IDS, DATA_LAKE_SOURCE_SPEC_ID };
export type { DestinationKey };

// Shaped like real keys (20 chars of A-Z2-7; 40 chars of base64), obviously fake.
const FAKE_S3_ACCESS_KEY = 'AKIAFAKEFAKEFAKEFAKE';
const FAKE_S3_SECRET = 'fakeSecretKeyForTestsOnly000000000000000';

export function authFor(destination: DestinationKey): unknown {
  switch (destination) {
    case 's3':
      return { specName: 'Access Key', params: { s3AccessKey: FAKE_S3_ACCESS_KEY, s3SecretKey: FAKE_S3_SECRET } };
    case 'azureBlob':
      return { specName: 'ConnectionString', params: { connectionString: 'DefaultEndpointsProtocol=https;AccountName=fakeaccount;AccountKey=ZmFrZQ==;EndpointSuffix=core.windows.net' } };
    case 'adlsGen2':
      return {
        specName: 'Azure Service Principal Auth',
        params: { url: 'https://fakeaccount.dfs.core.windows.net', servicePrincipalId: 'fake-sp-id', servicePrincipalKey: 'fake-sp-key', tenant: 'fake-tenant' },
      };
    case 'dataLandingZone':
      return null;
    case 'gcs':
      return { specName: 'Google Cloud Storage authentication credentials', params: { accessKeyId: 'GOOGFAKEACCESSKEY', secretAccessKey: 'fake-hmac-secret' } };
    case 'sftp':
      return { specName: 'SFTP with Password', params: { domain: 'sftp.example.test', username: 'fake-user', password: 'fake-password' } };
  }
}

export function locationFor(destination: DestinationKey): Record<string, string> {
  switch (destination) {
    case 's3':
      return { bucketName: 'fake-export-bucket', path: 'exports' };
    case 'azureBlob':
      return { container: 'fake-container', path: 'exports' };
    case 'gcs':
      return { bucketName: 'fake-gcs-bucket', path: 'exports' };
    case 'sftp':
      return { remotePath: '/upload/exports' };
    case 'adlsGen2':
    case 'dataLandingZone':
      return { path: 'exports' };
  }
}

export function baseConnectionBody(destination: DestinationKey, name = `base-${destination}`): Record<string, unknown> {
  return { name, auth: authFor(destination), connectionSpec: { id: DESTINATION_SPEC_IDS[destination].connectionSpecId, version: '1.0' } };
}

export function sourceConnectionBody(dataSetId: string, name = `source-${dataSetId}`): Record<string, unknown> {
  return {
    name,
    connectionSpec: { id: DATA_LAKE_SOURCE_SPEC_ID, version: '1.0' },
    params: { datasets: [{ dataSetId, name: `Dataset ${dataSetId}` }] },
  };
}

export function targetConnectionBody(destination: DestinationKey, baseConnectionId: string, params: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `target-${destination}`,
    baseConnectionId,
    connectionSpec: { id: DESTINATION_SPEC_IDS[destination].connectionSpecId, version: '1.0' },
    params: { mode: 'Server-to-server', compression: 'GZIP', datasetFileType: 'PARQUET', ...locationFor(destination), ...params },
  };
}

export const START_TIME_SECONDS = 1_900_000_000;

export function flowBody(destination: DestinationKey, sourceId: string, targetId: string, name = `flow-${destination}`): Record<string, unknown> {
  return {
    name,
    flowSpec: { id: DESTINATION_SPEC_IDS[destination].flowSpecId, version: '1.0' },
    sourceConnectionIds: [sourceId],
    targetConnectionIds: [targetId],
    transformations: [],
    scheduleParams: { interval: 3, timeUnit: 'hour', startTime: START_TIME_SECONDS },
  };
}

export interface Chain {
  baseConnectionId: string;
  sourceConnectionId: string;
  targetConnectionId: string;
  flowId: string;
  flowEtag: string;
}

async function create(sim: TestSimulator, collection: string, body: unknown): Promise<{ id: string; etag: string }> {
  const response = await call(sim, { method: 'POST', path: `${FS}/${collection}`, body });
  if (response.status !== 201) throw new Error(`create ${collection} failed: ${response.status} ${JSON.stringify(response.body)}`);
  const created = obj(response.body);
  return { id: String(created.id), etag: String(created.etag) };
}

export async function createChain(sim: TestSimulator, destination: DestinationKey, dataSetId = 'fake0000dataset0000id01', flowName?: string): Promise<Chain> {
  const base = await create(sim, 'connections', baseConnectionBody(destination));
  const source = await create(sim, 'sourceConnections', sourceConnectionBody(dataSetId));
  const target = await create(sim, 'targetConnections', targetConnectionBody(destination, base.id));
  const flow = await create(sim, 'flows', flowBody(destination, source.id, target.id, flowName));
  return { baseConnectionId: base.id, sourceConnectionId: source.id, targetConnectionId: target.id, flowId: flow.id, flowEtag: flow.etag };
}
