// New credentials for an existing destination (PATCH /destinations/:id): checked against the
// destination's own type, as POST /destinations checks them, with each problem naming its field
// under /credentials.
import { AppError, fieldError, type FieldError } from '../errors.js';
import { destinationTypes, destinationTypeSchemas, type AnyDestinationCredentials, type DestinationType } from './destination-types.js';

function isDestinationType(value: string): value is DestinationType {
  return (destinationTypes as readonly string[]).includes(value);
}

/** The credentials as the type's schema outputs them; a 400 naming the field otherwise. */
export function credentialsForType(type: string, raw: unknown): NonNullable<AnyDestinationCredentials> {
  if (!isDestinationType(type)) throw new Error(`unknown destination type ${type}`);
  const schema = destinationTypeSchemas[type].credentials;
  if (schema === null) throw fieldError('body', '/credentials', `a ${type} destination takes no credentials`);
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const errors: FieldError[] = parsed.error.issues.map((issue) => {
    const keys = (issue as { keys?: unknown }).keys;
    const path = Array.isArray(keys) && keys.length > 0 ? [...issue.path, String(keys[0])] : issue.path;
    return { location: 'body', pointer: ['/credentials', ...path.map(String)].join('/'), message: issue.message };
  });
  throw new AppError('validation_error', errors.map((e) => `body${e.pointer}: ${e.message}`).join('; '), { errors });
}
