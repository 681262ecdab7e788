// A self-signed TLS certificate for the simulator's HTTPS stand-ins (the ADLS Gen2 Azurite and the
// Entra ID token endpoint: Azurite accepts bearer tokens only over HTTPS, and MSAL talks to HTTPS
// authorities only). Node can sign but not build X.509 certificates, so the few DER structures of
// one ECDSA P-256 certificate are written here (RFC 5280 §4.1). Generated on first start into the
// emulators' data folder and reused while valid; clients trust it by naming the PEM file (the
// product's AZURE_EXTRA_CA_CERTS). Never a file of the repository.
import { generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';

export interface TlsCertificate {
  /** PEM of the certificate: what clients trust. */
  cert: string;
  /** PEM (PKCS #8) of its private key: only the servers read it. */
  key: string;
  certFile: string;
  keyFile: string;
}

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  if (body.length < 0x80) return Buffer.concat([Buffer.from([tag, body.length]), body]);
  const length: number[] = [];
  for (let n = body.length; n > 0; n >>= 8) length.unshift(n & 0xff);
  return Buffer.concat([Buffer.from([tag, 0x80 | length.length, ...length]), body]);
}

const sequence = (...parts: Buffer[]) => der(0x30, ...parts);

function objectId(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const value of rest) {
    const chunk = [value & 0x7f];
    for (let n = value >>> 7; n > 0; n >>>= 7) chunk.unshift((n & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function time(at: Date): Buffer {
  const iso = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  // UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
  return at.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(`${iso.slice(2)}Z`)) : der(0x18, Buffer.from(`${iso}Z`));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectId(oid), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), der(0x04, value));
}

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  const [head = '', tail = ''] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = address.includes('::') ? groups(tail) : [];
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return Buffer.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}

/** Names a client may use to reach the servers: loopback always, plus the configured host. */
function subjectAltNames(host: string): Buffer {
  const names = new Set(['localhost', '127.0.0.1', '::1', host]);
  names.delete('0.0.0.0');
  names.delete('::');
  const general = [...names].map((name) => (isIP(name) === 0 ? der(0x82, Buffer.from(name, 'ascii')) : der(0x87, ipBytes(name))));
  return sequence(...general);
}

function pem(label: string, bytes: Buffer): string {
  const lines = bytes.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A new self-signed certificate for `host` (and loopback), valid for `days`. */
export function createSelfSignedCertificate(host: string, days = 365): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecdsaWithSha256 = sequence(objectId('1.2.840.10045.4.3.2'));
  const name = sequence(der(0x31, sequence(objectId('2.5.4.3'), der(0x0c, Buffer.from('aep-simulator local emulators')))));
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40; // positive, and minimal DER (no leading zero byte)
  const now = Date.now();
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))), // v3
    der(0x02, serial),
    ecdsaWithSha256,
    name,
    sequence(time(new Date(now - 86_400_000)), time(new Date(now + days * 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    der(
      0xa3,
      sequence(
        extension('2.5.29.19', true, sequence(der(0x01, Buffer.from([0xff])))), // basicConstraints cA: its own trust anchor
        extension('2.5.29.15', true, der(0x03, Buffer.from([0x02, 0x84]))), // keyUsage digitalSignature, keyCertSign
        extension('2.5.29.37', false, sequence(objectId('1.3.6.1.5.5.7.3.1'))), // extKeyUsage serverAuth
        extension('2.5.29.17', false, subjectAltNames(host)),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, ecdsaWithSha256, der(0x03, Buffer.from([0]), signature));
  return { cert: pem('CERTIFICATE', certificate), key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

function usable(certPem: string, host: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const covers = isIP(host) === 0 ? cert.checkHost(host) !== undefined : cert.checkIP(host) !== undefined;
    return Date.parse(cert.validTo) > Date.now() + 86_400_000 && (covers || host === '0.0.0.0' || host === '::');
  } catch {
    return false;
  }
}

/** The certificate in `directory` (cert.pem, key.pem), created when missing, expiring or not for `host`. */
export async function loadOrCreateCertificate(directory: string, host: string): Promise<TlsCertificate> {
  const certFile = join(directory, 'cert.pem');
  const keyFile = join(directory, 'key.pem');
  const existing = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]).catch(() => null);
  if (existing !== null && usable(existing[0], host)) return { cert: existing[0], key: existing[1], certFile, keyFile };
  const created = createSelfSignedCertificate(host);
  await mkdir(directory, { recursive: true });
  await writeFile(keyFile, created.key, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(certFile, created.cert);
  return { ...created, certFile, keyFile };
}
