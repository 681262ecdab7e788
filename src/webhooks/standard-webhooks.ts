// Standard Webhooks 1.0 (symmetric, `v1`): signing outbound deliveries and verifying inbound ones.
// Signed content is "{webhook-id}.{webhook-timestamp}.{raw body}", HMAC-SHA256 keyed with the
// base64-decoded `whsec_` secret, sent as `webhook-signature: v1,<base64>` (space-separated list, so
// a sender can sign with an old and a new secret while rotating). Verification works on the raw
// bytes, compares in constant time and enforces a ±tolerance window on the timestamp. Remembering
// seen ids (replay protection) is the caller's job; `WebhookReplayGuard` is the seam for it.
//
// The signature itself is the reference library's (`standardwebhooks`, Webhook.sign). Its
// Webhook.verify is not used as a whole: it reads the wall clock with a fixed 300 s window and
// reports failures only as English messages, while the service verifies against its own clock,
// with a configurable tolerance, and answers with a reason code. So the window is checked here
// and each offered `v1` signature is compared with the library's.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';
/** The reference libraries' tolerance, in both directions. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = 'whsec_';
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 512;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class InvalidWebhookSecretError extends Error {}

/** Decodes a `whsec_<base64>` secret (the bare base64 form is accepted too, like the reference libraries). */
export function parseWebhookSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) throw new InvalidWebhookSecretError('webhook secret must be whsec_ followed by base64');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new InvalidWebhookSecretError(`webhook secret must decode to ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes`);
  }
  return key;
}

/** A fresh random secret in the `whsec_` form (32 bytes by default). */
export function generateWebhookSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new InvalidWebhookSecretError(`secret length must be ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes`);
  }
  return `${SECRET_PREFIX}${randomBytes(bytes).toString('base64')}`;
}

export type WebhookBody = string | Uint8Array;

/** `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, as the reference library signs. */
function librarySignature(key: Buffer, id: string, timestamp: number, body: WebhookBody): string {
  return new Webhook(key, { format: 'raw' }).sign(id, new Date(timestamp * 1000), body);
}

function hmac(key: Buffer, id: string, timestamp: number, body: WebhookBody): Buffer {
  return Buffer.from(librarySignature(key, id, timestamp, body).slice('v1,'.length), 'base64');
}

function unixSeconds(timestamp: number | Date): number {
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new RangeError('webhook timestamp must be a non-negative integer of unix seconds');
  return seconds;
}

export interface SignInput {
  /** The message id; stable across retries of one event. Must not contain "." or whitespace. */
  id: string;
  /** Unix seconds (or a Date) of this delivery attempt. */
  timestamp: number | Date;
  /** The exact bytes that will be sent. */
  body: WebhookBody;
  secret: string;
}

/** The `webhook-signature` value for one secret: `v1,<base64 HMAC-SHA256>`. */
export function sign(input: SignInput): string {
  if (input.id === '' || /[.\s]/.test(input.id)) throw new RangeError('webhook id must be non-empty without "." or whitespace');
  return librarySignature(parseWebhookSecret(input.secret), input.id, unixSeconds(input.timestamp), input.body);
}

// A type alias (not an interface) so it is assignable to WebhookHeaders' index signature.
export type SignedWebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** The three headers of a delivery, signed with every given secret (current first while rotating). */
export function signedHeaders(input: Omit<SignInput, 'secret'> & { secrets: string | readonly string[] }): SignedWebhookHeaders {
  const secrets = typeof input.secrets === 'string' ? [input.secrets] : input.secrets;
  if (secrets.length === 0) throw new InvalidWebhookSecretError('at least one secret is needed to sign');
  const timestamp = unixSeconds(input.timestamp);
  return {
    [WEBHOOK_ID_HEADER]: input.id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: secrets.map((secret) => sign({ id: input.id, timestamp, body: input.body, secret })).join(' '),
  };
}

export type WebhookVerifyFailureReason =
  | 'missing_header'
  | 'invalid_timestamp'
  /** Older than the tolerance. */
  | 'stale_timestamp'
  /** Newer than the tolerance (sender clock ahead, or a forged future timestamp). */
  | 'future_timestamp'
  /** No `v1` signature in the header matches any secret. */
  | 'bad_signature'
  /** Only returned by verifyWithReplayGuard: the id was already accepted. */
  | 'replayed';

export type WebhookVerifyResult =
  | { ok: true; id: string; timestamp: number }
  | { ok: false; reason: WebhookVerifyFailureReason; message: string };

/** Header values as Node and Fastify expose them (lower-case names; arrays for repeats). */
export type WebhookHeaders = Record<string, string | readonly string[] | undefined>;

export interface VerifyInput {
  headers: WebhookHeaders;
  /** The raw request body, byte for byte as received (never re-serialised JSON). */
  rawBody: WebhookBody;
  /** One or more accepted secrets (several while rotating). */
  secrets: string | readonly string[];
  toleranceSeconds?: number;
  /** Milliseconds since the epoch; default Date.now(). */
  now?: number;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  const direct = headers[name];
  const value = direct ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const first = typeof value === 'string' ? value : value?.[0];
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

function fail(reason: WebhookVerifyFailureReason, message: string): WebhookVerifyResult {
  return { ok: false, reason, message };
}

/** Decoded `v1` signatures of the header; other schemes (e.g. `v1a`) and malformed entries are skipped. */
function v1Signatures(value: string): Buffer[] {
  const found: Buffer[] = [];
  for (const entry of value.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const encoded = entry.slice(comma + 1);
    if (BASE64.test(encoded)) found.push(Buffer.from(encoded, 'base64'));
  }
  return found;
}

/** Verifies headers and raw body against the secrets; never throws for bad input, only for bad secrets. */
export function verify(input: VerifyInput): WebhookVerifyResult {
  const id = header(input.headers, WEBHOOK_ID_HEADER);
  const timestampText = header(input.headers, WEBHOOK_TIMESTAMP_HEADER);
  const signature = header(input.headers, WEBHOOK_SIGNATURE_HEADER);
  if (id === undefined || timestampText === undefined || signature === undefined) {
    return fail('missing_header', 'webhook-id, webhook-timestamp and webhook-signature are required');
  }
  if (!/^\d{1,15}$/.test(timestampText)) return fail('invalid_timestamp', 'webhook-timestamp must be integer unix seconds');
  const timestamp = Number(timestampText);
  const tolerance = input.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((input.now ?? Date.now()) / 1000);
  if (timestamp < nowSeconds - tolerance) return fail('stale_timestamp', `webhook-timestamp is more than ${tolerance} s old`);
  if (timestamp > nowSeconds + tolerance) return fail('future_timestamp', `webhook-timestamp is more than ${tolerance} s in the future`);

  const keys = (typeof input.secrets === 'string' ? [input.secrets] : input.secrets).map(parseWebhookSecret);
  const candidates = v1Signatures(signature);
  for (const key of keys) {
    const expected = hmac(key, id, timestamp, input.rawBody);
    // Every candidate is compared (no early exit on the first mismatch), each in constant time.
    let matched = false;
    for (const candidate of candidates) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
    if (matched) return { ok: true, id, timestamp };
  }
  return fail('bad_signature', 'no webhook-signature matches');
}

/**
 * Remembers accepted webhook ids for replay protection. `remember` records the id until
 * `expiresAtMs` and resolves true when it was not seen before (atomically: two concurrent
 * deliveries of one id must not both get true). Back it with Redis `SET NX PX` or a unique row.
 */
export interface WebhookReplayGuard {
  remember(id: string, expiresAtMs: number): Promise<boolean>;
}

/** A process-local guard for tests and single-process development. */
export class InMemoryReplayGuard implements WebhookReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  remember(id: string, expiresAtMs: number): Promise<boolean> {
    const now = this.now();
    for (const [key, expiry] of this.seen) if (expiry <= now) this.seen.delete(key);
    if (this.seen.has(id)) return Promise.resolve(false);
    this.seen.set(id, expiresAtMs);
    return Promise.resolve(true);
  }
}

/**
 * verify() plus replay protection: a valid delivery's id is remembered until its timestamp has left
 * the tolerance window (plus one more tolerance as margin); a second delivery of it is `replayed`.
 */
export async function verifyWithReplayGuard(input: VerifyInput & { guard: WebhookReplayGuard }): Promise<WebhookVerifyResult> {
  const result = verify(input);
  if (!result.ok) return result;
  const tolerance = input.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  const expiresAtMs = (result.timestamp + tolerance) * 1000 + tolerance * 1000;
  const first = await input.guard.remember(result.id, expiresAtMs);
  return first ? result : fail('replayed', `webhook ${result.id} was already received`);
}
