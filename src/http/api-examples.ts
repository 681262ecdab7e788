// Real request bodies for every route that takes one, shown by Swagger UI (/docs) instead of
// values generated from the schemas, and used by the tests (test/support/api.ts takes the
// destination bodies from here; test/api/openapi-examples.test.ts sends every example to the API).
// Credentials are obviously fake but pass each destination's validation.
import { cmlePipelineSteps, CMLE_EVENTS_TABLE } from '../pipelines/cmle-example.js';

/** One destination of each type, as POST /destinations takes it. */
export const destinationExamples = {
  dlz: { type: 'dlz', name: 'landing zone', params: {} },
  s3: {
    type: 's3',
    name: 'fake s3',
    params: { bucketName: 'fake-bucket' },
    credentials: { authType: 'access-key', s3AccessKey: 'FAKEACCESSKEY2222222', s3SecretKey: 'fake/secret+key/for/tests/only'.padEnd(40, '0') },
  },
  'azure-blob': {
    type: 'azure-blob',
    name: 'fake blob',
    params: { container: 'fake-container' },
    credentials: { connectionString: 'DefaultEndpointsProtocol=https;AccountName=fakeaccount;AccountKey=ZmFrZS1rZXk=;EndpointSuffix=core.windows.net' },
  },
  'adls-gen2': {
    type: 'adls-gen2',
    name: 'fake adls',
    params: { url: 'https://fakeaccount.dfs.core.windows.net/fakefs' },
    credentials: { servicePrincipalId: '00000000-0000-4000-8000-000000000000', servicePrincipalKey: 'fake-service-principal-key', tenant: 'fake-tenant.onmicrosoft.com' },
  },
  gcs: {
    type: 'gcs',
    name: 'fake gcs',
    params: { bucketName: 'fake-bucket' },
    credentials: { accessKeyId: 'GOOGFAKEFAKEFAKEFAKE0000', secretAccessKey: 'fake/gcs/secret/for/tests'.padEnd(40, '0') },
  },
  sftp: {
    type: 'sftp',
    name: 'fake sftp',
    params: { domain: 'sftp.example.com', port: 2222 },
    credentials: { authType: 'password', username: 'fake-user', password: 'fake-password' },
  },
} as const;

/** Ids as the API and the Platform print them (a Catalog dataset id is 24 hex characters). */
const ids = {
  dataset: '65f1c0de2a9b4c0012ab34cd',
  destination: '3f2b8c1e-5d4a-4e6b-9c7d-0a1b2c3d4e5f',
  template: '8d0e6f4a-2b1c-4d3e-9f5a-6b7c8d9e0f1a',
  pipeline: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
};

/** Examples by route ("METHOD /openapi/path"): a name, a summary and the body. */
export const requestBodyExamples: Record<string, Record<string, { summary: string; value: unknown }>> = {
  'POST /destinations': Object.fromEntries(Object.entries(destinationExamples).map(([type, value]) => [type, { summary: `A ${type} destination`, value }])),
  'POST /exports': {
    onDemand: {
      summary: 'Export a dataset once, as gzip Parquet',
      value: { datasetId: ids.dataset, destinationId: ids.destination, path: 'ml/features', format: 'parquet', compression: 'gzip' },
    },
    daily: {
      summary: 'Every day at 02:00 UTC, as gzip JSON, with a callback',
      value: {
        datasetId: ids.dataset,
        destinationId: ids.destination,
        path: 'ml/daily',
        format: 'json',
        compression: 'gzip',
        schedule: { every: 'P1D', startAt: '2030-01-01T02:00:00Z' },
        callbackUrl: 'https://hooks.example.com/aepj',
      },
    },
  },
  'PATCH /destinations/{id}': {
    rename: { summary: 'Rename it', value: { name: 'customer s3 (ml team)' } },
    rotate: {
      summary: "Rotate an S3 destination's access key (replaces the Platform base connection's auth)",
      value: { credentials: { authType: 'access-key', s3AccessKey: 'AKIAFAKEFAKEFAKEFAK2', s3SecretKey: 'fakeFakeFakeFakeFakeFakeFakeFakeFakeFake' } },
    },
  },
  'POST /pipeline-schedules': {
    nightly: {
      summary: 'Start a template every night at 02:30, Paris time',
      value: { name: 'nightly scoring', templateId: ids.template, parameters: { minEvents: 5 }, cron: '30 2 * * *', timeZone: 'Europe/Paris' },
    },
    sixHourly: { summary: 'Run a pipeline again every 6 hours', value: { name: 'six-hourly rescoring', pipelineId: ids.pipeline, everyHours: 6 } },
  },
  'PATCH /pipeline-schedules/{id}': {
    hourly: { summary: 'Every 3 hours instead', value: { everyHours: 3 } },
    end: { summary: 'Stop at the end of January', value: { endAt: '2031-01-31T00:00:00Z' } },
  },
  'POST /queries/preview': {
    eventsPerUser: {
      summary: 'Events per user in the CMLE events table (table names as GET /datasets shows them)',
      value: { sql: `SELECT _cmle.userid AS userId, count(*) AS events FROM ${CMLE_EVENTS_TABLE} GROUP BY 1 ORDER BY events DESC` },
    },
  },
  'PATCH /exports/{id}': { sixHourly: { summary: 'Run every 6 hours instead', value: { schedule: { every: 'PT6H' } } } },
  'POST /pipelines': {
    cmle: {
      summary: "The CMLE notebooks' workflow: features, export, train and score, ingest, audience, activation",
      value: {
        name: 'CMLE propensity',
        steps: cmlePipelineSteps({ exportDestinationId: ids.destination, activationDestinationId: ids.destination, exportPath: 'cmle/egress', activationPath: 'cmle/audiences' }),
      },
    },
  },
  'POST /pipeline-templates': {
    counts: {
      summary: 'Event counts per user, with a typed parameter',
      value: {
        name: 'events per user',
        steps: [{ kind: 'featurize', name: 'features', sql: 'SELECT _cmle.userid AS userId, count(*) AS events FROM {{table}} GROUP BY 1 HAVING count(*) >= {{minEvents}}' }],
        parameters: { table: { type: 'string', default: CMLE_EVENTS_TABLE }, minEvents: { type: 'integer', default: 1 } },
      },
    },
  },
  'POST /pipeline-templates/{id}/start': { withParameters: { summary: 'Start with parameters', value: { name: 'active users', parameters: { minEvents: 5 } } } },
  'POST /admin/tenants': {
    adobeOrg: {
      summary: 'A tenant bound to an Adobe org (scopes as the Developer Console shows them)',
      value: {
        name: 'marketing-ds',
        platform: {
          target: 'prod',
          imsOrgId: 'A1B2C3D4E5F6A7B8C9D0E1F2@AdobeOrg',
          sandbox: 'prod',
          clientId: 'fake-client-id',
          clientSecret: 'fake-client-secret',
          scopes: 'openid,AdobeID,read_organizations,additional_info.projectedProductContext,session',
        },
      },
    },
  },
  'PATCH /admin/tenants/{id}': {
    allowSensitive: { summary: 'Allow PSPD and RHD labelled datasets', value: { allowSensitiveLabels: true } },
    newSecret: { summary: 'A new client secret', value: { platform: { clientSecret: 'fake-rotated-client-secret' } } },
  },
  'POST /admin/tenants/{id}/api-keys': { ci: { summary: 'A key for CI', value: { name: 'ci', role: 'tenant' } } },
  'POST /admin/api-keys/{id}/rotate': { overlap: { summary: 'The old key keeps working for one hour', value: { overlapSeconds: 3600 } } },
};
