// AES-256-GCM sealing of secrets at rest (Platform client secrets, destination credentials).
// A keyring: the first key seals, every key opens, so keys rotate without a flag day
// (see docs/security.md, "Rotating the secrets key").
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const version = 'v1';

/** AES-GCM's 96-bit nonce, random per sealed value. */
const ivBytes = 12;
/**
 * IVs drawn from the CSPRNG 1,024 at a time: a synchronous call into it costs ~20 µs on a busy
 * machine, and the accept path seals an answer per request (2.4 % of the API's CPU). Each IV is
 * still fresh randomness used once: a spent pool is replaced, never refilled in place.
 */
let ivPool = Buffer.alloc(0);
let ivOffset = 0;
function freshIv(): Buffer {
  if (ivOffset + ivBytes > ivPool.length) {
    ivPool = randomBytes(ivBytes * 1024);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + ivBytes);
  ivOffset += ivBytes;
  return iv;
}

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** Id of the key new secrets are sealed with. */
  readonly activeKeyId: string;
  /** Id of the key a sealed value was sealed with (for re-sealing during rotation). */
  keyIdOf(sealed: string): string;
}

export function parseKeyring(spec: string): Map<string, Buffer> {
  const ring = new Map<string, Buffer>();
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [id, b64] = part.split(':');
    if (!id || !b64 || !/^[A-Za-z0-9_-]+$/.test(id)) throw new Error('SECRETS_KEYS entries must be keyId:base64');
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new Error(`secrets key ${id} must be 32 bytes (base64 of 32 random bytes)`);
    ring.set(id, key);
  }
  if (ring.size === 0) throw new Error('SECRETS_KEYS is empty');
  return ring;
}

export function createSecretBox(ring: Map<string, Buffer>): SecretBox {
  const [activeKeyId, activeKey] = [...ring.entries()][0]!;
  const parts = (sealed: string) => {
    const [v, keyId, iv, tag, data] = sealed.split('.');
    if (v !== version || !keyId || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
    return { keyId, iv, tag, data };
  };
  return {
    activeKeyId,
    seal(plaintext) {
      const iv = freshIv();
      const cipher = createCipheriv('aes-256-gcm', activeKey, iv);
      // The key id is bound as associated data so a value cannot be replayed under another key.
      cipher.setAAD(Buffer.from(activeKeyId));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [version, activeKeyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    },
    open(sealed) {
      const p = parts(sealed);
      const key = ring.get(p.keyId);
      if (!key) throw new Error(`secret sealed with unknown key ${p.keyId}`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(p.iv, 'base64url'));
      decipher.setAAD(Buffer.from(p.keyId));
      decipher.setAuthTag(Buffer.from(p.tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(p.data, 'base64url')), decipher.final()]).toString('utf8');
    },
    keyIdOf: (sealed) => parts(sealed).keyId,
  };
}

/** Keyring from SECRETS_KEYS, or a local key file created on first use (local mode only). */
export function loadSecretBox(opts: { keys?: string; keyFile: string }): SecretBox {
  if (opts.keys) return createSecretBox(parseKeyring(opts.keys));
  if (!existsSync(opts.keyFile)) {
    mkdirSync(dirname(opts.keyFile), { recursive: true });
    writeFileSync(opts.keyFile, `local:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return createSecretBox(parseKeyring(readFileSync(opts.keyFile, 'utf8').trim()));
}
