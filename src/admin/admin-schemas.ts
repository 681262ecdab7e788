// HTTP schemas of the admin routes (tenants and API keys) and of the caller's own tenant. The
// Platform client secret is write-only, like destination credentials.
import { z } from 'zod';

export const platformTargets = ['simulator', 'prod', 'stage'] as const;
export const apiKeyRoles = ['tenant', 'admin'] as const;

/** The scopes Adobe's own ML notebooks request (reference section 1.1). */
export const defaultPlatformScopes = ['openid', 'AdobeID', 'read_organizations', 'additional_info.projectedProductContext', 'session'];

const keyName = z.string().trim().min(1).max(100);

const sensitiveLabels = z.boolean().describe('Whether PSPD and RHD labelled datasets may be exported');

const scopeName = z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'must be an OAuth scope name (letters, digits, _ . : -)');
const scopeList = z.array(scopeName).min(1).max(50);
/**
 * OAuth scopes as a list, or as the one comma-separated string Adobe's Developer Console shows
 * (what people paste), e.g. "openid,AdobeID,read_organizations".
 */
const ScopesSchema = z
  .union([
    scopeList,
    z
      .string()
      .max(2000)
      .transform((text) => text.split(/[\s,]+/).filter(Boolean))
      .pipe(scopeList),
  ])
  .describe('A list of scope names, or one comma-separated string as the Adobe Developer Console shows them');

export const CreateTenantBodySchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and hyphens'),
    platform: z
      .object({
        target: z.enum(platformTargets).describe('simulator (local), prod or stage Adobe hosts'),
        imsOrgId: z.string().regex(/^[A-Za-z0-9]+@AdobeOrg$/, 'must look like XXXX@AdobeOrg'),
        sandbox: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a Platform sandbox name (lowercase)'),
        clientId: z.string().min(1).max(200),
        clientSecret: z.string().min(1).max(1000).describe('Write-only; stored sealed.'),
        scopes: ScopesSchema.default(defaultPlatformScopes),
      })
      .strict(),
    allowSensitiveLabels: sensitiveLabels.default(false),
    apiKey: z.object({ name: keyName.default('first key'), role: z.enum(apiKeyRoles).default('tenant') }).strict().default({ name: 'first key', role: 'tenant' }),
  })
  .strict()
  .meta({ id: 'CreateTenant' });
export type CreateTenantBody = z.infer<typeof CreateTenantBodySchema>;

export const TenantSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    platform: z.object({
      target: z.enum(platformTargets),
      imsOrgId: z.string(),
      sandbox: z.string(),
      clientId: z.string(),
      scopes: z.array(z.string()),
      hasClientSecret: z.boolean(),
    }),
    allowSensitiveLabels: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Tenant' });
export type TenantView = z.infer<typeof TenantSchema>;

export const UpdateTenantBodySchema = z
  .object({
    platform: z
      .object({
        clientId: z.string().min(1).max(200),
        clientSecret: z.string().min(1).max(1000).describe('Write-only; stored sealed.'),
        scopes: ScopesSchema,
      })
      .partial()
      .strict()
      .optional()
      .describe(
        "The OAuth credential only. The org, sandbox and target cannot change: the tenant's connections and flows live in that sandbox, so a new one is a new tenant.",
      ),
    allowSensitiveLabels: sensitiveLabels.optional(),
  })
  .strict()
  .refine((body) => body.allowSensitiveLabels !== undefined || (body.platform !== undefined && Object.keys(body.platform).length > 0), {
    message: 'names nothing to change: give allowSensitiveLabels or platform.clientId, clientSecret or scopes',
  })
  .meta({ id: 'UpdateTenant' });
export type UpdateTenantBody = z.infer<typeof UpdateTenantBodySchema>;

export const TenantPageSchema = z.object({ items: z.array(TenantSchema), nextCursor: z.string().nullable() }).meta({ id: 'TenantPage' });

export const CreateApiKeyBodySchema = z
  .object({ name: keyName, role: z.enum(apiKeyRoles).default('tenant') })
  .strict()
  .meta({ id: 'CreateApiKey' });
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBodySchema>;

export const IssuedApiKeySchema = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    name: z.string(),
    role: z.enum(apiKeyRoles),
    prefix: z.string(),
    key: z.string().describe('The whole key. Shown once: only a hash is stored.'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'IssuedApiKey' });
export type IssuedApiKeyView = z.infer<typeof IssuedApiKeySchema>;

/** Longest overlap a rotation allows between the new key and the old one. */
export const maxRotationOverlapSeconds = 7 * 24 * 3600;

export const RotateApiKeyBodySchema = z
  .object({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(maxRotationOverlapSeconds)
      .default(0)
      .describe('How long the old key keeps working after the new one is issued (0: revoked at once; at most 7 days).'),
  })
  .strict()
  .default({ overlapSeconds: 0 })
  .meta({ id: 'RotateApiKey' });
export type RotateApiKeyBody = z.infer<typeof RotateApiKeyBodySchema>;

export const RotatedApiKeySchema = IssuedApiKeySchema.extend({
  replacedKeyId: z.uuid().describe('The key this one replaces'),
  replacedKeyRevokedAt: z.iso.datetime().describe('When the replaced key stops working'),
}).meta({ id: 'RotatedApiKey' });
export type RotatedApiKeyView = z.infer<typeof RotatedApiKeySchema>;

export const CreatedTenantSchema = z.object({ tenant: TenantSchema, apiKey: IssuedApiKeySchema }).meta({ id: 'CreatedTenant' });

export const IdParamsSchema = z.object({ id: z.uuid() });
