// Opens the store behind a destination: decodes its parameters, opens its sealed credentials in
// memory only, checks the host against the address guard, and builds the protocol's adapter. The
// Data Landing Zone's credentials come from the Platform (DlzCredentialSource), so a DLZ store is
// opened per tenant. This is the only place that knows which protocol serves which destination.
// Each protocol's module (and its SDK) is imported on first use: loading the AWS, Azure and SSH SDKs
// costs over a second of CPU at every process start, and most processes need one of them or none.
import type { SecretBox } from '../crypto/secret-box.js';
import { destinationTypeSchemas, destinationTypes, type DestinationType } from '../destinations/destination-types.js';
import { resolvedUrlProblem } from '../security/ssrf.js';
import { adlsLocation } from './adls-location.js';
import type { DlzContainerType, DlzCredentials, DlzCredentialSource } from './dlz-credentials.js';
import type { ObjectStore, StorageAccess } from './object-store.js';
import type { StorageEndpoints } from './storage-endpoints.js';

/** What the factory needs of a destination row (a Prisma `Destination` fits). */
export interface StoredDestination {
  tenantId: string;
  type: string;
  params: unknown;
  credentialsSealed: string | null;
}

/** The destination cannot be opened: bad stored data, or a host the address guard refuses. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

export interface StoreFactoryDeps {
  endpoints: StorageEndpoints;
  secrets: SecretBox;
  dlz: DlzCredentialSource;
}

export interface StoreFactory {
  /** The store a destination names (for a DLZ destination: the tenant's `dlz_destination` container). */
  forDestination(destination: StoredDestination): Promise<ObjectStore>;
  /** A tenant's Data Landing Zone container (`user_drop_zone` holds files to ingest). */
  forDlz(tenantId: string, type: DlzContainerType): Promise<ObjectStore>;
}

function isDestinationType(type: string): type is DestinationType {
  return (destinationTypes as readonly string[]).includes(type);
}

function parsed<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new StoreOpenError(`The destination's stored ${what} are not valid for its type.`);
  return result.data;
}

/** Azure connection strings name their endpoint; `UseDevelopmentStorage=true` means the local emulator. */
function blobEndpointOf(connectionString: string): string {
  const pairs = new Map(
    connectionString
      .split(';')
      .map((part) => part.trim())
      .filter((part) => part.includes('='))
      .map((part) => [part.slice(0, part.indexOf('=')).toLowerCase(), part.slice(part.indexOf('=') + 1)] as const),
  );
  const explicit = pairs.get('blobendpoint');
  if (explicit !== undefined) return explicit;
  if (pairs.get('usedevelopmentstorage')?.toLowerCase() === 'true') return 'http://127.0.0.1:10000/devstoreaccount1';
  const account = pairs.get('accountname') ?? '';
  return `${pairs.get('defaultendpointsprotocol') ?? 'https'}://${account}.blob.${pairs.get('endpointsuffix') ?? 'core.windows.net'}`;
}

const s3Stores = () => import('./s3-store.js');
const azureStores = () => import('./azure-stores.js');
const sftpStores = () => import('./sftp-store.js');

async function dlzStore(credentials: DlzCredentials, endpoints: StorageEndpoints): Promise<ObjectStore> {
  if (credentials.provider === 'azure') return (await azureStores()).openSasContainer(credentials.sasUri, credentials.sasToken, credentials.expiresAt);
  const { openS3Store } = await s3Stores();
  const store = openS3Store({
    flavour: 's3',
    bucket: credentials.bucketName,
    basePrefix: credentials.folder,
    region: credentials.region,
    ...(endpoints.s3Endpoint === undefined ? {} : { endpoint: endpoints.s3Endpoint }),
    credentials: { kind: 'keys', accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
  });
  // The Platform's session credentials are already short-lived and scoped to the org's folder.
  const access: StorageAccess = {
    kind: 'aws-session',
    bucket: credentials.bucketName,
    prefix: credentials.folder,
    region: credentials.region,
    ...(endpoints.s3Endpoint === undefined ? {} : { endpoint: endpoints.s3Endpoint }),
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiresAt: credentials.expiresAt,
  };
  return { ...store, temporaryAccess: () => Promise.resolve(access) };
}

export function createStoreFactory(deps: StoreFactoryDeps): StoreFactory {
  const { endpoints, secrets } = deps;

  async function guard(url: string): Promise<void> {
    const problem = await resolvedUrlProblem(url, { allowPrivate: endpoints.allowPrivate });
    if (problem !== null) throw new StoreOpenError(`The destination's storage endpoint ${new URL(url).host} ${problem}.`);
  }

  function credentialsOf(destination: StoredDestination): unknown {
    if (destination.credentialsSealed === null) return null;
    return JSON.parse(secrets.open(destination.credentialsSealed)) as unknown;
  }

  async function forDlz(tenantId: string, type: DlzContainerType): Promise<ObjectStore> {
    const credentials = await deps.dlz.get(tenantId, type);
    await guard(credentials.provider === 'azure' ? credentials.sasUri : (endpoints.s3Endpoint ?? 'https://s3.amazonaws.com'));
    return dlzStore(credentials, endpoints);
  }

  async function forDestination(destination: StoredDestination): Promise<ObjectStore> {
    const type = destination.type;
    if (!isDestinationType(type)) throw new StoreOpenError(`Unknown destination type ${type}.`);
    const schemas = destinationTypeSchemas;
    switch (type) {
      case 'dlz':
        return forDlz(destination.tenantId, 'dlz_destination');
      case 's3': {
        const params = parsed(schemas.s3.params, destination.params, 'parameters');
        const credentials = parsed(schemas.s3.credentials, credentialsOf(destination), 'credentials');
        if (endpoints.s3Endpoint !== undefined) await guard(endpoints.s3Endpoint);
        const { openS3Store } = await s3Stores();
        return openS3Store({
          flavour: 's3',
          bucket: params.bucketName,
          region: endpoints.s3Region,
          ...(endpoints.s3Endpoint === undefined ? {} : { endpoint: endpoints.s3Endpoint }),
          credentials:
            credentials.authType === 'access-key'
              ? { kind: 'keys', accessKeyId: credentials.s3AccessKey, secretAccessKey: credentials.s3SecretKey }
              : { kind: 'assumed-role', roleArn: credentials.s3Role },
        });
      }
      case 'gcs': {
        const params = parsed(schemas.gcs.params, destination.params, 'parameters');
        const credentials = parsed(schemas.gcs.credentials, credentialsOf(destination), 'credentials');
        await guard(endpoints.gcsEndpoint);
        const { openS3Store } = await s3Stores();
        return openS3Store({
          flavour: 'gcs',
          bucket: params.bucketName,
          // GCS's XML API takes any region name in the signature; "auto" is what Google documents.
          region: 'auto',
          endpoint: endpoints.gcsEndpoint,
          credentials: { kind: 'keys', accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
        });
      }
      case 'azure-blob': {
        const params = parsed(schemas['azure-blob'].params, destination.params, 'parameters');
        const credentials = parsed(schemas['azure-blob'].credentials, credentialsOf(destination), 'credentials');
        await guard(blobEndpointOf(credentials.connectionString));
        return (await azureStores()).openConnectionStringContainer(credentials.connectionString, params.container);
      }
      case 'adls-gen2': {
        const params = parsed(schemas['adls-gen2'].params, destination.params, 'parameters');
        const credentials = parsed(schemas['adls-gen2'].credentials, credentialsOf(destination), 'credentials');
        const location = adlsLocation(params.url, endpoints.adlsEndpoint);
        await guard(location.blobEndpoint);
        const principal = { tenant: credentials.tenant, clientId: credentials.servicePrincipalId, clientSecret: credentials.servicePrincipalKey };
        return (await azureStores()).openAdlsContainer(location.blobEndpoint, location.fileSystem, principal, endpoints);
      }
      case 'sftp': {
        const params = parsed(schemas.sftp.params, destination.params, 'parameters');
        const credentials = parsed(schemas.sftp.credentials, credentialsOf(destination), 'credentials');
        await guard(`https://${params.domain.includes(':') ? `[${params.domain}]` : params.domain}/`);
        const { openSftpStore } = await sftpStores();
        return openSftpStore({
          host: params.domain,
          port: params.port ?? 22,
          username: credentials.username,
          auth:
            credentials.authType === 'password'
              ? { kind: 'password', password: credentials.password }
              : { kind: 'private-key', privateKey: Buffer.from(credentials.sshKey, 'base64').toString('utf8') },
        });
      }
    }
  }

  return { forDestination, forDlz };
}
