// Sealing (src/crypto/secret-box.ts): every sealed value has an IV of its own, also across the
// pool its IVs are drawn from, and opens to what was sealed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createSecretBox } from '../../src/crypto/secret-box.js';

test('3,000 seals of one plaintext: 3,000 distinct IVs and ciphertexts, each opening to the plaintext', () => {
  const box = createSecretBox(new Map([['k1', randomBytes(32)]]));
  const sealed = Array.from({ length: 3000 }, () => box.seal('the same answer'));
  const ivs = sealed.map((value) => value.split('.')[2]);
  assert.equal(new Set(ivs).size, sealed.length);
  assert.equal(new Set(sealed).size, sealed.length);
  for (const iv of ivs) assert.equal(Buffer.from(iv ?? '', 'base64url').length, 12);
  for (const value of sealed) assert.equal(box.open(value), 'the same answer');
});
