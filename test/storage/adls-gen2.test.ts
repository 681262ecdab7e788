// ADLS Gen2 as the product opens it on a real org, against the simulator's emulators: the store
// factory signs the destination's service principal in at Entra ID (the emulators' stand-in, as
// AZURE_AUTHORITY_HOST), then reads and writes the account's storage with the bearer token over
// HTTPS (ADLS_ENDPOINT_URL), trusting the emulators' self-signed certificate (AZURE_EXTRA_CA_CERTS).
// A wrong secret is refused at sign-in; the certificate is kept and reused across starts.
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Agent, fetch } from 'undici';
import { loadConfig } from '../../src/config.js';
import { createSecretBox, parseKeyring } from '../../src/crypto/secret-box.js';
import { loadOrCreateCertificate } from '../../packages/stand-ins/src/simulator/storage/self-signed-certificate.js';
import { startStorageEmulators, type AdlsEmulator, type StorageEmulators } from '../../packages/stand-ins/src/simulator/storage/storage-emulators.js';
import { StorageAccessDeniedError } from '../../src/storage/object-store.js';
import { createStoreFactory, type StoreFactory } from '../../src/storage/store-factory.js';
import { adlsContainer, adlsEnvOf, adlsTrust } from '../support/emulator-destinations.js';

const principal = { tenant: '0b9a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d', clientId: '1d2c3b4a-5f6e-4d7c-9b8a-0f1e2d3c4b5a', clientSecret: 'adls-adapter-test-secret' };
const secrets = createSecretBox(parseKeyring(`test:${randomBytes(32).toString('base64')}`));

let emulators: StorageEmulators;
let adls: AdlsEmulator;
let directory: string;
let factory: StoreFactory;

function destination(clientSecret: string) {
  return {
    tenantId: 'tenant-a',
    type: 'adls-gen2',
    params: { url: `https://${emulators.azure.accountName}.dfs.core.windows.net/adapter-fs` },
    credentialsSealed: secrets.seal(JSON.stringify({ servicePrincipalId: principal.clientId, servicePrincipalKey: clientSecret, tenant: principal.tenant })),
  };
}

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'storage-adls-'));
  emulators = await startStorageEmulators({
    host: '127.0.0.1',
    directory,
    azuritePort: 0,
    s3Port: 0,
    gcsPort: 0,
    sftpPort: 0,
    adlsPort: 0,
    entraPort: 0,
    s3Keys: [],
    gcsKeys: [],
    sftpUsers: [],
    entraPrincipals: [principal],
  });
  assert.ok(emulators.adls, 'the ADLS Gen2 emulator started');
  adls = emulators.adls;
  const config = loadConfig({ ...adlsEnvOf(emulators), ALLOW_PRIVATE_STORAGE: 'true' });
  factory = createStoreFactory({
    endpoints: config.storage,
    secrets,
    dlz: { get: () => Promise.reject(new Error('no Data Landing Zone in this test')) },
  });
  // The customer's file system exists before anything is written to it.
  await adlsContainer(adls, principal, 'adapter-fs').createIfNotExists();
});

after(async () => {
  await emulators.close();
  await rm(directory, { recursive: true, force: true });
});

describe('ADLS Gen2 with a service principal against the emulators', () => {
  test('signs in at Entra ID, writes, lists, reads, and signs a user delegation SAS that a plain GET downloads', async () => {
    const store = await factory.forDestination(destination(principal.clientSecret));
    assert.equal(store.rootUri, `${adls.blobEndpoint}/adapter-fs/`);
    await store.write('runs/ds1/exportTime=202601010000/part-00000.json', Readable.from(['{"a":1}\n', '{"a":2}\n']));
    const listed = await store.list('runs/ds1/');
    assert.deepEqual(listed.map((f) => [f.path, f.size]), [['runs/ds1/exportTime=202601010000/part-00000.json', 16]]);
    const chunks: Buffer[] = [];
    for await (const chunk of await store.read(listed[0]!.path)) chunks.push(Buffer.from(chunk as Uint8Array));
    assert.equal(Buffer.concat(chunks).toString('utf8'), '{"a":1}\n{"a":2}\n');

    const signed = await store.signedReadUrl(listed[0]!.path, 300);
    assert.ok(signed);
    const query = new URL(signed.url).searchParams;
    assert.equal(query.get('sktid'), principal.tenant, 'a user delegation SAS, keyed by the principal');
    const dispatcher = new Agent({ connect: adlsTrust(adls) });
    try {
      const response = await fetch(signed.url, { dispatcher });
      const text = await response.text();
      assert.equal(response.status, 200, `${signed.url}\n${text}`);
      assert.equal(text, '{"a":1}\n{"a":2}\n');
    } finally {
      await dispatcher.close();
    }
    await store.close();
  });

  test('a wrong client secret is refused at sign-in and reads as access denied', async () => {
    const store = await factory.forDestination(destination('not-the-secret'));
    await assert.rejects(store.list(''), (error: unknown) => error instanceof StorageAccessDeniedError && /invalid_client|AADSTS7000215/.test(error.message));
    await store.close();
  });

  test('the emulators serve one self-signed certificate for loopback, kept across starts', async () => {
    const cert = new X509Certificate(adls.caCert);
    assert.ok(cert.checkIP('127.0.0.1'));
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.ok(cert.ca);
    const again = await loadOrCreateCertificate(join(directory, 'tls'), '127.0.0.1');
    assert.equal(again.cert, adls.caCert);
    assert.equal(again.certFile, adls.caCertFile);
  });
});
