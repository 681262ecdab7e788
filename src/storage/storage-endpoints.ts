// Where the storage adapters connect, parsed once in config. Real cloud endpoints by default; in
// local mode the operator points S3 and GCS at an S3-compatible server exactly as one would point
// them at MinIO or another S3-compatible store, and ADLS Gen2 (with its Entra ID sign-in) at an
// Azure Storage emulator, as Azure Stack Hub or a sovereign cloud is configured. Azure Blob
// endpoints come from connection strings and SAS URLs, SFTP from the destination's host.
export interface StorageEndpoints {
  /** S3 endpoint override (path-style addressing when set); unset = AWS's regional endpoints. */
  s3Endpoint?: string;
  /** Region for S3 requests; buckets elsewhere are followed by the SDK's region redirects. */
  s3Region: string;
  /** GCS's S3-compatible XML API (https://storage.googleapis.com), or a local override. */
  gcsEndpoint: string;
  /**
   * ADLS Gen2 endpoint override, path-style: an account's storage is `<adlsEndpoint>/<account>`.
   * Unset = the account's own `https://<account>.blob.core.windows.net` (from its dfs URL).
   */
  adlsEndpoint?: string;
  /** Entra ID authority host for service principal sign-in (@azure/identity `authorityHost`); unset = Azure public cloud. */
  azureAuthorityHost?: string;
  /** PEM file of extra CA certificates the Azure clients (storage and Entra ID sign-in) trust besides the system's. */
  azureExtraCaFile?: string;
  /**
   * Local development only: stores may sit on loopback or private addresses (the simulator's
   * emulators). Off in production, so a destination cannot point the worker at internal hosts.
   */
  allowPrivate: boolean;
}

export const DEFAULT_GCS_ENDPOINT = 'https://storage.googleapis.com';
