// MurmurHash3 x64 128-bit, returned as Python mmh3.hash64 does: two signed 64-bit halves. The CMLE
// notebooks derive each synthetic user's ECID from it, so we reproduce their ids exactly.

const MASK64 = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK64;
}

function fmix64(input: bigint): bigint {
  let k = input;
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & MASK64;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & MASK64;
  k ^= k >> 33n;
  return k;
}

function readUint64LE(bytes: Uint8Array, offset: number, length: number): bigint {
  let value = 0n;
  for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[offset + i] ?? 0);
  return value;
}

function toSigned64(x: bigint): bigint {
  return x >= 1n << 63n ? x - (1n << 64n) : x;
}

/** `mmh3.hash64(text, seed)` with x64arch=True and signed=True. */
export function murmur3Hash64(text: string, seed = 0): [bigint, bigint] {
  const bytes = new TextEncoder().encode(text);
  const length = bytes.length;
  const blocks = Math.floor(length / 16);
  let h1 = BigInt(seed >>> 0);
  let h2 = BigInt(seed >>> 0);

  for (let i = 0; i < blocks; i++) {
    let k1 = readUint64LE(bytes, i * 16, 8);
    let k2 = readUint64LE(bytes, i * 16 + 8, 8);
    k1 = (k1 * C1) & MASK64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * C2) & MASK64;
    h1 ^= k1;
    h1 = rotl64(h1, 27n);
    h1 = (h1 + h2) & MASK64;
    h1 = (h1 * 5n + 0x52dce729n) & MASK64;
    k2 = (k2 * C2) & MASK64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * C1) & MASK64;
    h2 ^= k2;
    h2 = rotl64(h2, 31n);
    h2 = (h2 + h1) & MASK64;
    h2 = (h2 * 5n + 0x38495ab5n) & MASK64;
  }

  const tail = blocks * 16;
  const rest = length & 15;
  if (rest > 8) {
    let k2 = readUint64LE(bytes, tail + 8, rest - 8);
    k2 = (k2 * C2) & MASK64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * C1) & MASK64;
    h2 ^= k2;
  }
  if (rest > 0) {
    let k1 = readUint64LE(bytes, tail, Math.min(rest, 8));
    k1 = (k1 * C1) & MASK64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * C2) & MASK64;
    h1 ^= k1;
  }

  const len = BigInt(length);
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) & MASK64;
  h2 = (h2 + h1) & MASK64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & MASK64;
  h2 = (h2 + h1) & MASK64;
  return [toSigned64(h1), toSigned64(h2)];
}
