// Signing the completion callback as Standard Webhooks 1.0 prescribes, with the reference library
// (`standardwebhooks`): the service gave the job a `whsec_` secret in `callback_secret`.
import { Webhook } from 'standardwebhooks';

const SECRET_PREFIX = 'whsec_';
/** The specification asks for secrets of 24 to 64 random bytes; the library checks only base64. */
const MIN_SECRET_BYTES = 24;

/** Why `secret` is not a usable Standard Webhooks secret (`whsec_` + base64), or undefined. */
export function webhookSecretProblem(secret: string): string | undefined {
  try {
    new Webhook(secret);
  } catch {
    return 'must be a Standard Webhooks secret: whsec_ followed by base64';
  }
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return key.length < MIN_SECRET_BYTES ? `must be a Standard Webhooks secret of at least ${MIN_SECRET_BYTES} bytes (whsec_ followed by base64)` : undefined;
}

/** The three Standard Webhooks headers of one delivery attempt. */
export function signedCallbackHeaders(input: { id: string; timestampSeconds: number; body: string; secret: string }): Record<string, string> {
  const signature = new Webhook(input.secret).sign(input.id, new Date(input.timestampSeconds * 1000), input.body);
  return { 'webhook-id': input.id, 'webhook-timestamp': String(input.timestampSeconds), 'webhook-signature': signature };
}
