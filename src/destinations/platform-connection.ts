// How a stored destination becomes Platform objects (reference sections 2.2, 2.4 and 3): the
// connection spec, the base connection's `auth`, and the target connection's location params.
// Kept next to the type schemas so validation and mapping cannot drift apart.
import type { SecretBox } from '../crypto/secret-box.js';
import { DESTINATION_SPECS, type DestinationKind, type DestinationSpec } from '../platform/spec-ids.js';
import { destinationTypeSchemas, type DestinationType } from './destination-types.js';

const kindByType: Record<DestinationType, DestinationKind> = {
  dlz: 'dataLandingZone',
  s3: 's3',
  'azure-blob': 'azureBlob',
  'adls-gen2': 'adlsGen2',
  gcs: 'gcs',
  sftp: 'sftp',
};

export function destinationSpecOf(type: DestinationType): DestinationSpec {
  return DESTINATION_SPECS[kindByType[type]];
}

export type BaseConnectionAuth = { specName: string; params: Record<string, string> } | null;

/** The base connection's `auth` for a destination row; opens the sealed credentials. */
export function baseConnectionAuthOf(
  row: { type: string; params: unknown; credentialsSealed: string | null },
  secrets: SecretBox,
): BaseConnectionAuth {
  const type = row.type as DestinationType;
  const schemas = destinationTypeSchemas[type];
  if (schemas.credentials === null) return null;
  if (row.credentialsSealed === null) throw new Error(`a ${type} destination needs credentials`);
  const opened = JSON.parse(secrets.open(row.credentialsSealed)) as unknown;
  switch (type) {
    case 's3': {
      const c = destinationTypeSchemas.s3.credentials.parse(opened);
      return c.authType === 'access-key'
        ? { specName: 'Access Key', params: { s3AccessKey: c.s3AccessKey, s3SecretKey: c.s3SecretKey } }
        : { specName: 'Assumed Role', params: { s3Role: c.s3Role } };
    }
    case 'azure-blob': {
      const c = destinationTypeSchemas['azure-blob'].credentials.parse(opened);
      return { specName: 'ConnectionString', params: { connectionString: c.connectionString } };
    }
    case 'adls-gen2': {
      const p = destinationTypeSchemas['adls-gen2'].params.parse(row.params);
      const c = destinationTypeSchemas['adls-gen2'].credentials.parse(opened);
      return { specName: 'Azure Service Principal Auth', params: { url: p.url, ...c } };
    }
    case 'gcs': {
      const c = destinationTypeSchemas.gcs.credentials.parse(opened);
      return { specName: 'Google Cloud Storage authentication credentials', params: c };
    }
    case 'sftp': {
      const p = destinationTypeSchemas.sftp.params.parse(row.params);
      const c = destinationTypeSchemas.sftp.credentials.parse(opened);
      return c.authType === 'password'
        ? { specName: 'SFTP with Password', params: { domain: p.domain, username: c.username, password: c.password } }
        : { specName: 'SFTP with SSH Key', params: { domain: p.domain, username: c.username, sshKey: c.sshKey } };
    }
    case 'dlz':
      return null;
  }
}

/** The target connection's params: mode, file type, compression and the location of this export. */
export function targetConnectionParamsOf(
  row: { type: string; params: unknown },
  exportSpec: { path: string; format: 'parquet' | 'json'; compression: 'gzip' | 'none' },
): Record<string, string> {
  const type = row.type as DestinationType;
  const common = {
    mode: 'Server-to-server',
    datasetFileType: exportSpec.format.toUpperCase(),
    compression: exportSpec.compression.toUpperCase(),
  };
  switch (type) {
    case 's3':
      return { ...common, bucketName: destinationTypeSchemas.s3.params.parse(row.params).bucketName, path: exportSpec.path };
    case 'gcs':
      return { ...common, bucketName: destinationTypeSchemas.gcs.params.parse(row.params).bucketName, path: exportSpec.path };
    case 'azure-blob':
      return { ...common, container: destinationTypeSchemas['azure-blob'].params.parse(row.params).container, path: exportSpec.path };
    case 'sftp':
      return { ...common, remotePath: exportSpec.path };
    case 'adls-gen2':
    case 'dlz':
      return { ...common, path: exportSpec.path };
  }
}
