// HTTP schemas of the destination routes. The create body is a union on `type`, each member strict
// so an unknown or misplaced field is a 400 naming it. Responses never carry credentials.
import { z } from 'zod';
import { destinationTypes, destinationTypeSchemas } from './destination-types.js';

const name = z.string().trim().min(1).max(200);
const t = destinationTypeSchemas;

export const CreateDestinationBodySchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('dlz'), name, params: t.dlz.params }).strict(),
    z.object({ type: z.literal('s3'), name, params: t.s3.params, credentials: t.s3.credentials }).strict(),
    z.object({ type: z.literal('azure-blob'), name, params: t['azure-blob'].params, credentials: t['azure-blob'].credentials }).strict(),
    z.object({ type: z.literal('adls-gen2'), name, params: t['adls-gen2'].params, credentials: t['adls-gen2'].credentials }).strict(),
    z.object({ type: z.literal('gcs'), name, params: t.gcs.params, credentials: t.gcs.credentials }).strict(),
    z.object({ type: z.literal('sftp'), name, params: t.sftp.params, credentials: t.sftp.credentials }).strict(),
  ])
  .meta({
    id: 'CreateDestination',
    description: 'A storage location. `credentials` are write-only: stored sealed and never returned. The Data Landing Zone (dlz) needs none.',
  });
export type CreateDestinationBody = z.infer<typeof CreateDestinationBodySchema>;

export const UpdateDestinationBodySchema = z
  .object({
    name: name.optional(),
    credentials: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("New credentials, in the shape POST /destinations takes for the destination's type (checked against that type)."),
  })
  .strict()
  .refine((body) => body.name !== undefined || body.credentials !== undefined, 'give name, credentials or both')
  .meta({
    id: 'UpdateDestination',
    description:
      "Rename a destination and/or rotate its credentials. New credentials are sealed like the first ones and, once the destination has a Platform base connection, replace its `auth` there (PATCH with If-Match) before this answers; the next export run uses them.",
  });
export type UpdateDestinationBody = z.infer<typeof UpdateDestinationBodySchema>;

export const DestinationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    type: z.enum(destinationTypes),
    params: z.record(z.string(), z.unknown()).describe('Non-secret location parameters as given.'),
    hasCredentials: z.boolean(),
    baseConnectionId: z.string().nullable().describe('The Platform base connection, once the first export created it.'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Destination' });
export type Destination = z.infer<typeof DestinationSchema>;

export const DestinationParamsSchema = z.object({ id: z.uuid() });

const accessCommon = {
  destinationId: z.uuid(),
  type: z.enum(destinationTypes),
  rootUri: z.string().describe('URI of the store root the credentials open (files are named below it)'),
  expiresAt: z.iso.datetime().nullable(),
};

export const DestinationAccessSchema = z
  .discriminatedUnion('kind', [
    z.object({
      ...accessCommon,
      kind: z.literal('azure-sas'),
      containerUrl: z.string(),
      sasToken: z.string(),
      sasUri: z.string().describe('containerUrl?sasToken: what `ContainerClient` / `ContainerClient(sasUri)` takes'),
      permissions: z.string(),
    }),
    z.object({
      ...accessCommon,
      kind: z.literal('aws-session'),
      bucket: z.string(),
      prefix: z.string(),
      region: z.string(),
      endpoint: z.string().nullable(),
      accessKeyId: z.string(),
      secretAccessKey: z.string(),
      sessionToken: z.string().nullable(),
    }),
  ])
  .meta({ id: 'DestinationAccess', description: 'Short-lived credentials to read the destination’s files.' });
export type DestinationAccess = z.infer<typeof DestinationAccessSchema>;
