// Data Landing Zone credentials as the Platform hands them out
// (GET /data/foundation/connectors/landingzone/credentials?type=…, reference cmle-pipeline-api §3,
// aepp flowservice.getLandingZoneCredential): a container SAS on Azure-hosted orgs, STS session
// credentials and a bucket folder on AWS-hosted ones.

/** `dlz_destination` receives exports; `user_drop_zone` is where files to ingest are dropped. */
export type DlzContainerType = 'dlz_destination' | 'user_drop_zone';

export type DlzCredentials =
  | {
      provider: 'azure';
      containerName: string;
      storageAccountName: string;
      sasToken: string;
      /** `https://<account>.blob.core.windows.net/<container>?<sas>` (or the local emulator's URL). */
      sasUri: string;
      expiresAt: Date;
    }
  | {
      provider: 'aws';
      bucketName: string;
      /** Folder inside the bucket that belongs to the org and sandbox. */
      folder: string;
      region: string;
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken: string;
      expiresAt: Date;
    };

/** Hands out a tenant's DLZ credentials, cached until shortly before they expire. */
export interface DlzCredentialSource {
  get(tenantId: string, type: DlzContainerType): Promise<DlzCredentials>;
}
