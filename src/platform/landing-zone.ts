// The Data Landing Zone credentials call (GET /data/foundation/connectors/landingzone/credentials,
// reference cmle-pipeline-api §3; aepp flowservice.getLandingZoneCredential). Azure-hosted orgs
// get a container SAS; AWS-hosted ones (`dlzProvider` naming Amazon) get STS session credentials
// and a bucket folder. Adobe's Azure SAS may rely on a stored access policy (no `se`), so the
// answer's `expiryDate` is the fallback expiry.
import { z } from 'zod';
import type { DlzContainerType, DlzCredentials } from '../storage/dlz-credentials.js';
import { sasExpiry } from '../storage/sas-token.js';
import type { CallOptions, Send } from './call-executor.js';
import { parseBody } from './responses.js';

const LANDING_ZONE_CREDENTIALS_PATH = '/data/foundation/connectors/landingzone/credentials';

const AzureAnswerSchema = z.looseObject({
  containerName: z.string().min(1),
  SASToken: z.string().min(1),
  storageAccountName: z.string().min(1),
  SASUri: z.url(),
  expiryDate: z.string().optional(),
});

const AwsAnswerSchema = z.looseObject({
  dlzProvider: z.string().regex(/amazon/i),
  credentials: z.looseObject({
    awsAccessKeyId: z.string().min(1),
    awsSecretAccessKey: z.string().min(1),
    awsSessionToken: z.string().min(1),
    expiryTime: z.union([z.number(), z.string()]).optional(),
  }),
  dlzPath: z.looseObject({ bucketName: z.string().min(1), dlzFolder: z.string() }),
  awsRegion: z.string().optional(),
});

const LandingZoneAnswerSchema = z.union([AwsAnswerSchema, AzureAnswerSchema]);

/** STS session credentials last an hour by default; without an expiry we assume less. */
const AWS_DEFAULT_LIFETIME_MS = 30 * 60_000;
/** Without `se` or `expiryDate`, trust a SAS for this long. */
const SAS_DEFAULT_LIFETIME_MS = 60 * 60_000;

function dateOrUndefined(value: string | number | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const at = typeof value === 'number' ? new Date(value < 1e12 ? value * 1000 : value) : new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

export function dlzCredentialsOf(answer: z.infer<typeof LandingZoneAnswerSchema>, nowMs: number): DlzCredentials {
  const aws = AwsAnswerSchema.safeParse(answer);
  if (aws.success) {
    const answer = aws.data;
    return {
      provider: 'aws',
      bucketName: answer.dlzPath.bucketName,
      folder: answer.dlzPath.dlzFolder,
      region: answer.awsRegion ?? 'us-east-1',
      accessKeyId: answer.credentials.awsAccessKeyId,
      secretAccessKey: answer.credentials.awsSecretAccessKey,
      sessionToken: answer.credentials.awsSessionToken,
      expiresAt: dateOrUndefined(answer.credentials.expiryTime) ?? new Date(nowMs + AWS_DEFAULT_LIFETIME_MS),
    };
  }
  const azure = AzureAnswerSchema.parse(answer);
  const expiresAt = sasExpiry(azure.SASToken) ?? dateOrUndefined(azure.expiryDate) ?? new Date(nowMs + SAS_DEFAULT_LIFETIME_MS);
  return {
    provider: 'azure',
    containerName: azure.containerName,
    storageAccountName: azure.storageAccountName,
    sasToken: azure.SASToken,
    sasUri: azure.SASUri,
    expiresAt,
  };
}

export type { DlzContainerType };

export function landingZoneMethods(send: Send) {
  return {
    /** The org's Data Landing Zone credentials for one container type (reference cmle §3). */
    async getLandingZoneCredentials(type: DlzContainerType, opts?: CallOptions): Promise<DlzCredentials> {
      const call = { endpoint: 'landingZone.credentials', area: 'destinations' as const, subject: 'Data Landing Zone credentials' };
      const response = await send({ ...call, method: 'GET', path: LANDING_ZONE_CREDENTIALS_PATH, query: [['type', type]] }, opts);
      return dlzCredentialsOf(parseBody(LandingZoneAnswerSchema, response, call), Date.now());
    },
  };
}
