// The six cloud-storage destinations a dataset can be exported to, and what each needs: location
// parameters (not secret, shown back) and credentials (sealed, never shown). Patterns mirror the
// Platform's auth specs (reference section 3, adobe-openapi/destinations.yaml), so a bad key is
// refused here, at once, rather than by the Platform minutes later in the worker.
import { z } from 'zod';

export const destinationTypes = ['dlz', 's3', 'azure-blob', 'adls-gen2', 'gcs', 'sftp'] as const;
export type DestinationType = (typeof destinationTypes)[number];

// destinations.yaml AmazonS3TargetConnectionRequest.bucketName
const s3BucketName = z
  .string()
  .regex(/(?=^.{3,63}$)(?!^(\d+\.)+\d+$)(^(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$)/, 'must be a valid S3 bucket name');

const S3AccessKeyCredentialsSchema = z
  .object({
    authType: z.literal('access-key'),
    // destinations.yaml AmazonS3AuthParameters
    s3AccessKey: z.string().regex(/^[A-Z2-7]{20}$/, 'must be 20 characters A-Z or 2-7'),
    s3SecretKey: z.string().regex(/^[A-Za-z0-9/+]{40}$/, 'must be 40 characters A-Z, a-z, 0-9, / or +'),
  })
  .strict();

const S3AssumedRoleCredentialsSchema = z
  .object({
    authType: z.literal('assumed-role'),
    s3Role: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN'),
  })
  .strict();

const SftpPasswordCredentialsSchema = z
  .object({
    authType: z.literal('password'),
    username: z.string().min(1).max(255),
    password: z.string().min(1).max(1024),
  })
  .strict();

const SftpSshKeyCredentialsSchema = z
  .object({
    authType: z.literal('ssh-key'),
    username: z.string().min(1).max(255),
    sshKey: z.base64('must be the base64-encoded private key').min(40).max(32_768),
  })
  .strict();

const azureContainer = z.string().regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a valid Azure container name');

const azureConnectionString = z
  .string()
  .max(4096)
  .refine(
    (value) => /(^|;)\s*(AccountName|BlobEndpoint)=[^;]+/i.test(value) && /(^|;)\s*(AccountKey|SharedAccessSignature)=[^;]+/i.test(value),
    'must be an Azure storage connection string with an account and a key or SAS',
  );

// Google Cloud Storage bucket naming rules (the Platform's GCS target spec and Google's bucket
// naming guidelines): 3-63 characters of lowercase letters, digits, dashes, underscores and dots,
// starting and ending with a letter or digit, not starting with "goog", not containing "google".
const gcsBucketName = z
  .string()
  .regex(/^(?=.{3,63}$)[a-z0-9][a-z0-9._-]*[a-z0-9]$/, 'must be a valid GCS bucket name')
  .refine((name) => !name.startsWith('goog'), 'must not start with "goog"')
  .refine((name) => !name.includes('google'), 'must not contain "google"');

const hostName = z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9.:-]{0,251}[A-Za-z0-9])?$/, 'must be a host name or IP address');

// ADLS Gen2 is reached through its Data Lake (dfs) endpoint; a Blob endpoint is the Azure Blob
// destination's, and the Platform would only fail the export later ("Azure Data Lake Storage Gen2
// destination": URL https://<account>.dfs.core.windows.net/<filesystem>, Adobe's ADLS Gen2 docs).
const adlsGen2Url = z
  .url({ protocol: /^https$/ })
  .refine((url) => !/\.blob\.core\./i.test(new URL(url).hostname), {
    message: 'is a Blob Storage endpoint (blob.core.windows.net); ADLS Gen2 needs the Data Lake endpoint https://<account>.dfs.core.windows.net/<filesystem>, or use an azure-blob destination',
  })
  .describe('ADLS Gen2 file system URL, https://<account>.dfs.core.windows.net/<filesystem>');

/** Per type: the non-secret location parameters and the credentials. */
export const destinationTypeSchemas = {
  dlz: {
    params: z.object({}).strict().default({}),
    credentials: null,
  },
  s3: {
    params: z.object({ bucketName: s3BucketName }).strict(),
    credentials: z.discriminatedUnion('authType', [S3AccessKeyCredentialsSchema, S3AssumedRoleCredentialsSchema]),
  },
  'azure-blob': {
    params: z.object({ container: azureContainer }).strict(),
    credentials: z.object({ connectionString: azureConnectionString }).strict(),
  },
  'adls-gen2': {
    params: z.object({ url: adlsGen2Url }).strict(),
    credentials: z
      .object({
        servicePrincipalId: z.uuid(),
        servicePrincipalKey: z.string().min(1).max(1024),
        tenant: z.string().regex(/^[A-Za-z0-9.-]{1,255}$/, 'must be the Azure AD tenant id or domain'),
      })
      .strict(),
  },
  gcs: {
    params: z.object({ bucketName: gcsBucketName }).strict(),
    credentials: z
      .object({
        accessKeyId: z.string().regex(/^GOOG[A-Z0-9]{10,80}$/, 'must be a GCS HMAC access id (GOOG...)'),
        secretAccessKey: z.string().regex(/^[A-Za-z0-9/+]{40}$/, 'must be a 40-character GCS HMAC secret'),
      })
      .strict(),
  },
  sftp: {
    params: z
      .object({
        domain: hostName,
        // destinations.yaml SFTPWithSSHKeyBaseConnectionAuthParameters_V2.port
        port: z.number().int().min(1).max(65535).optional().describe('SFTP port (default 22).'),
      })
      .strict(),
    credentials: z.discriminatedUnion('authType', [SftpPasswordCredentialsSchema, SftpSshKeyCredentialsSchema]),
  },
} as const;

type Schemas = typeof destinationTypeSchemas;
export type DestinationParams<T extends DestinationType> = z.output<Schemas[T]['params']>;
export type DestinationCredentials<T extends DestinationType> = Schemas[T]['credentials'] extends z.ZodType
  ? z.output<Schemas[T]['credentials']>
  : null;

/** Any type's parameters / credentials, as stored. */
export type AnyDestinationParams = { [T in DestinationType]: DestinationParams<T> }[DestinationType];
export type AnyDestinationCredentials = { [T in DestinationType]: DestinationCredentials<T> }[DestinationType];
