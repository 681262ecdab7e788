// The six cloud-storage destinations of dataset exports: their base-connection auth specs and
// target-connection location params, as the real connection specs require (reference section 3,
// Adobe's destination docs). Secrets are checked for shape only, never used.
import type { ParamField } from './param-fields.js';
import type { DestinationKey } from './spec-ids.js';

export interface AuthSpecDefinition {
  /** The `auth.specName` a base connection must send. */
  name: string;
  type: string;
  fields: readonly ParamField[];
}

export interface DestinationDefinition {
  key: DestinationKey;
  /** Connection spec name as listed by GET /connectionSpecs. */
  name: string;
  /** Empty for the Data Landing Zone, whose base connection carries `auth: null`. */
  authSpecs: readonly AuthSpecDefinition[];
  /** Target connection params naming the location (bucket, container, path, ...). */
  locationFields: readonly ParamField[];
  documentationLink: string;
}

const str = (name: string, description: string, extra: Partial<ParamField> = {}): ParamField => ({
  name,
  description,
  type: 'string',
  required: true,
  ...extra,
});

// Target `path` patterns of Adobe's connection specs (targetSpec): S3 and GCS allow an empty path
// (`*`), Azure Blob needs one character at least (`+`).
const CLOUD_PATH = /^[0-9a-zA-Z/!\-_.*'()]*$/;
const AZURE_BLOB_PATH = /^[0-9a-zA-Z/!\-_.*'()]+$/;
// GCS bucket names: 3-63 of [a-z0-9._-], letter or digit at both ends, not starting with "goog",
// not containing "google" (the GCS target spec, Google's bucket naming rules).
const GCS_BUCKET = /^(?!goog)(?!.*google)(?=.{3,63}$)[a-z0-9][a-z0-9._-]*[a-z0-9]$/;

const S3_BUCKET = /^(?=.{3,63}$)(?!(\d+\.)+\d+$)(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;

export const DESTINATIONS: Record<DestinationKey, DestinationDefinition> = {
  s3: {
    key: 's3',
    name: 'Amazon S3',
    authSpecs: [
      {
        name: 'Access Key',
        type: 'KeyBased',
        fields: [
          str('s3AccessKey', 'Amazon S3 access key ID.', { pattern: /^[A-Z2-7]{20}$/ }),
          str('s3SecretKey', 'Amazon S3 secret access key.', { pattern: /^[A-Za-z0-9/+]{40}$/, secret: true }),
        ],
      },
      {
        name: 'Assumed Role',
        type: 'RoleBased',
        fields: [str('s3Role', 'ARN of the IAM role Platform assumes.', { pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/ })],
      },
    ],
    locationFields: [
      str('bucketName', 'Amazon S3 bucket name.', { pattern: S3_BUCKET }),
      str('path', 'Folder path inside the bucket.', { pattern: CLOUD_PATH }),
    ],
    documentationLink: 'https://experienceleague.adobe.com/docs/experience-platform/destinations/catalog/cloud-storage/amazon-s3.html',
  },
  azureBlob: {
    key: 'azureBlob',
    name: 'Azure Blob Storage',
    authSpecs: [
      {
        name: 'ConnectionString',
        type: 'KeyBased',
        fields: [
          // Adobe's ConnectionString auth spec asks only for a connection string; Azure's formats
          // name the account (AccountName or BlobEndpoint) and a credential (AccountKey or a
          // SharedAccessSignature), so a SAS connection string is as valid as an account key.
          str('connectionString', 'Azure Blob Storage connection string (account key or SAS).', {
            pattern: /^(?=(?:.*;)?\s*(?:AccountName|BlobEndpoint)=[^;]+)(?=(?:.*;)?\s*(?:AccountKey|SharedAccessSignature)=[^;]+).+$/i,
            secret: true,
          }),
        ],
      },
    ],
    locationFields: [str('container', 'Blob container name.'), str('path', 'Folder path inside the container.', { pattern: AZURE_BLOB_PATH })],
    documentationLink: 'https://experienceleague.adobe.com/docs/experience-platform/destinations/catalog/cloud-storage/azure-blob.html',
  },
  adlsGen2: {
    key: 'adlsGen2',
    name: 'Azure Data Lake Storage Gen2',
    authSpecs: [
      {
        name: 'Azure Service Principal Auth',
        type: 'KeyBased',
        fields: [
          str('url', 'ADLS Gen2 endpoint, e.g. https://<account>.dfs.core.windows.net.', { pattern: /^https:\/\/.+/ }),
          str('servicePrincipalId', 'Application (client) id of the service principal.'),
          str('servicePrincipalKey', 'Secret of the service principal.', { secret: true }),
          str('tenant', 'Azure AD tenant of the service principal.'),
        ],
      },
    ],
    locationFields: [str('path', 'Folder path in the file system.')],
    documentationLink: 'https://experienceleague.adobe.com/docs/experience-platform/destinations/catalog/cloud-storage/adls-gen2.html',
  },
  dataLandingZone: {
    key: 'dataLandingZone',
    name: 'Data Landing Zone',
    authSpecs: [],
    locationFields: [str('path', 'Folder path inside the sandbox\'s landing zone container.')],
    documentationLink: 'https://experienceleague.adobe.com/docs/experience-platform/destinations/catalog/cloud-storage/data-landing-zone.html',
  },
  gcs: {
    key: 'gcs',
    name: 'Google Cloud Storage',
    authSpecs: [
      {
        name: 'Google Cloud Storage authentication credentials',
        type: 'KeyBased',
        fields: [
          str('accessKeyId', 'HMAC access key id.'),
          str('secretAccessKey', 'HMAC secret.', { secret: true }),
        ],
      },
    ],
    locationFields: [
      str('bucketName', 'Google Cloud Storage bucket name.', { pattern: GCS_BUCKET }),
      str('path', 'Folder path inside the bucket.', { pattern: CLOUD_PATH }),
    ],
    documentationLink: 'https://experienceleague.adobe.com/docs/experience-platform/destinations/catalog/cloud-storage/google-cloud-storage.html',
  },
  sftp: {
    key: 'sftp',
    name: 'SFTP',
    authSpecs: [
      {
        name: 'SFTP with Password',
        type: 'KeyBased',
        fields: [
          str('domain', 'SFTP host name or IP address.'),
          str('username', 'SFTP user.'),
          str('password', 'SFTP password.', { secret: true }),
          { name: 'port', description: 'SFTP port (default 22).', type: 'integer', required: false },
        ],
      },
      {
        name: 'SFTP with SSH Key',
        type: 'KeyBased',
        fields: [
          str('domain', 'SFTP host name or IP address.'),
          str('username', 'SFTP user.'),
          str('sshKey', 'Base64-encoded private SSH key.', { pattern: /^[A-Za-z0-9+/=\s]+$/, secret: true }),
          { name: 'port', description: 'SFTP port (default 22).', type: 'integer', required: false },
        ],
      },
    ],
    locationFields: [str('remotePath', 'Folder path on the SFTP server.')],
    documentationLink: 'https://experienceleague.adobe.com/docs/experience-platform/destinations/catalog/cloud-storage/sftp.html',
  },
};

/** Target connection params every file destination shares (destinations.yaml BaseTargetConnectionParams_V2). */
export const COMMON_TARGET_FIELDS: readonly ParamField[] = [
  { name: 'mode', description: 'Always Server-to-server.', type: 'string', required: false, enum: ['Server-to-server'] },
  { name: 'compression', description: 'GZIP or NONE.', type: 'string', required: true, enum: ['GZIP', 'NONE'] },
];

/** Dataset exports (destinations.yaml DatasetTargetConnectionParams_V2). */
export const DATASET_FILE_TYPE_FIELD: ParamField = { name: 'datasetFileType', description: 'File format of dataset exports.', type: 'string', required: true, enum: ['JSON', 'PARQUET'] };

/** Audience exports (destinations.yaml SegmentTargetConnectionParams_V2). */
export const SEGMENT_FILE_TYPE_FIELD: ParamField = { name: 'fileType', description: 'File format of audience (profile) exports.', type: 'string', required: true, enum: ['CSV', 'JSON', 'PARQUET'] };
