// Turns a destination row into what the Platform needs: the connection and flow spec ids, the
// base connection's `auth` (credentials opened from the secret box only here, in memory) and the
// target connection's location params (reference section 2.4 and 3).
import type { SecretBox } from '../crypto/secret-box.js';
import { destinationTypeSchemas, type DestinationType } from './destination-types.js';
import type { Destination } from '../generated/prisma/client.js';
import { DESTINATION_SPECS, type DestinationKind } from '../platform/spec-ids.js';

/** What the mapping reads of a destination row. */
export type StoredDestination = Pick<Destination, 'type' | 'params' | 'credentialsSealed'>;

export interface PlatformDestination {
  connectionSpecId: string;
  flowSpecId: string;
  /** null for the Data Landing Zone. */
  auth: { specName: string; params: Record<string, unknown> } | null;
  /** Location params of the target connection for this export path. */
  locationParams(path: string): Record<string, unknown>;
}

/** The destination's stored data does not fit its type (should have been refused by the API). */
export class InvalidDestinationError extends Error {
  override name = 'InvalidDestinationError';
}

const platformKindOf: Record<DestinationType, DestinationKind> = {
  dlz: 'dataLandingZone',
  s3: 's3',
  'azure-blob': 'azureBlob',
  'adls-gen2': 'adlsGen2',
  gcs: 'gcs',
  sftp: 'sftp',
};

function isDestinationType(type: string): type is DestinationType {
  return type in platformKindOf;
}

function openCredentials(destination: StoredDestination, secrets: SecretBox): unknown {
  if (destination.credentialsSealed === null) return null;
  return JSON.parse(secrets.open(destination.credentialsSealed)) as unknown;
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidDestinationError(`The destination's stored ${what} are not valid for its type.`);
  return parsed.data;
}

export function platformDestinationOf(destination: StoredDestination, secrets: SecretBox): PlatformDestination {
  const type = destination.type;
  if (!isDestinationType(type)) throw new InvalidDestinationError(`Unknown destination type ${type}.`);
  const spec = DESTINATION_SPECS[platformKindOf[type]];
  const base = { connectionSpecId: spec.connectionSpecId, flowSpecId: spec.datasetFlowSpecId };
  const schemas = destinationTypeSchemas;

  switch (type) {
    case 'dlz':
      return { ...base, auth: null, locationParams: (path) => ({ path }) };
    case 's3': {
      const params = parse(schemas.s3.params, destination.params, 'parameters');
      const credentials = parse(schemas.s3.credentials, openCredentials(destination, secrets), 'credentials');
      const auth =
        credentials.authType === 'access-key'
          ? { specName: 'Access Key', params: { s3AccessKey: credentials.s3AccessKey, s3SecretKey: credentials.s3SecretKey } }
          : { specName: 'Assumed Role', params: { s3Role: credentials.s3Role } };
      return { ...base, auth, locationParams: (path) => ({ bucketName: params.bucketName, path }) };
    }
    case 'azure-blob': {
      const params = parse(schemas['azure-blob'].params, destination.params, 'parameters');
      const credentials = parse(schemas['azure-blob'].credentials, openCredentials(destination, secrets), 'credentials');
      return {
        ...base,
        auth: { specName: 'ConnectionString', params: { connectionString: credentials.connectionString } },
        locationParams: (path) => ({ container: params.container, path }),
      };
    }
    case 'adls-gen2': {
      const params = parse(schemas['adls-gen2'].params, destination.params, 'parameters');
      const credentials = parse(schemas['adls-gen2'].credentials, openCredentials(destination, secrets), 'credentials');
      return {
        ...base,
        auth: { specName: 'Azure Service Principal Auth', params: { url: params.url, ...credentials } },
        locationParams: (path) => ({ path }),
      };
    }
    case 'gcs': {
      const params = parse(schemas.gcs.params, destination.params, 'parameters');
      const credentials = parse(schemas.gcs.credentials, openCredentials(destination, secrets), 'credentials');
      return {
        ...base,
        auth: { specName: 'Google Cloud Storage authentication credentials', params: { ...credentials } },
        locationParams: (path) => ({ bucketName: params.bucketName, path }),
      };
    }
    case 'sftp': {
      const params = parse(schemas.sftp.params, destination.params, 'parameters');
      const credentials = parse(schemas.sftp.credentials, openCredentials(destination, secrets), 'credentials');
      const auth =
        credentials.authType === 'password'
          ? { specName: 'SFTP with Password', params: { domain: params.domain, ...(params.port === undefined ? {} : { port: params.port }), username: credentials.username, password: credentials.password } }
          : { specName: 'SFTP with SSH Key', params: { domain: params.domain, ...(params.port === undefined ? {} : { port: params.port }), username: credentials.username, sshKey: credentials.sshKey } };
      return { ...base, auth, locationParams: (path) => ({ remotePath: path }) };
    }
  }
}

export interface TargetFileOptions {
  path: string;
  format: string;
  compression: string;
}

/**
 * Target connection params of a dataset export: the Platform's enums are uppercase (reference
 * 2.4); the file type is `datasetFileType` (destinations.yaml DatasetTargetConnectionParams_V2).
 */
export function targetConnectionParams(destination: PlatformDestination, exp: TargetFileOptions): Record<string, unknown> {
  return { mode: 'Server-to-server', compression: exp.compression.toUpperCase(), datasetFileType: exp.format.toUpperCase(), ...destination.locationParams(exp.path) };
}

/** Target connection params of an audience export: `fileType` (destinations.yaml SegmentTargetConnectionParams_V2). */
export function audienceTargetConnectionParams(destination: PlatformDestination, exp: TargetFileOptions): Record<string, unknown> {
  return { mode: 'Server-to-server', compression: exp.compression.toUpperCase(), fileType: exp.format.toUpperCase(), ...destination.locationParams(exp.path) };
}
