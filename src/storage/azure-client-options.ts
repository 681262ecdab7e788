// How the product's Azure clients reach ADLS Gen2 with a service principal: the Entra ID authority
// (`authorityHost`, https://login.microsoftonline.com unless configured, as for sovereign clouds or
// Azure Stack), and which extra certificate authorities both the storage pipeline and MSAL's
// sign-in trust (AZURE_EXTRA_CA_CERTS: a TLS-inspecting proxy's CA, or the local emulators'
// self-signed certificate). The same options serve a real org and the emulators. Where the
// account's storage is comes from adls-location.ts.
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { AzureAuthorityHosts, type ClientSecretCredentialOptions } from '@azure/identity';
import type { StoragePipelineOptions } from '@azure/storage-blob';
import type { StorageEndpoints } from './storage-endpoints.js';

interface TlsTrust {
  ca: string[];
}

export interface AzureClientOptions {
  credential: ClientSecretCredentialOptions;
  /** Storage pipeline options; `tlsOptions` is applied by @azure/core-rest-pipeline underneath. */
  storage: StoragePipelineOptions & { tlsOptions?: TlsTrust };
}

// Microsoft's own clouds are known to MSAL's instance discovery; any other host is trusted as
// configured (the operator chose it), which needs instance discovery off.
const MICROSOFT_AUTHORITY_HOSTS = new Set<string>(Object.values(AzureAuthorityHosts).map((host: string) => host.replace(/\/$/, '').toLowerCase()));

/** One settings object per CA bundle: the Azure SDK keeps a connection pool per settings object. */
const trustByPem = new Map<string, TlsTrust>();

async function extraTrust(file: string | undefined): Promise<TlsTrust | undefined> {
  if (file === undefined) return undefined;
  // Read at use, not at start: in local mode the emulators create the file when they start.
  const pem = await readFile(file, 'utf8');
  let trust = trustByPem.get(pem);
  if (trust === undefined) {
    // Node's `ca` replaces the default roots, so they are listed too.
    trust = { ca: [...rootCertificates, pem] };
    trustByPem.set(pem, trust);
  }
  return trust;
}

export async function azureClientOptions(endpoints: StorageEndpoints): Promise<AzureClientOptions> {
  const trust = await extraTrust(endpoints.azureExtraCaFile);
  const authorityHost = endpoints.azureAuthorityHost;
  const authority =
    authorityHost === undefined
      ? {}
      : { authorityHost, ...(MICROSOFT_AUTHORITY_HOSTS.has(authorityHost.replace(/\/$/, '').toLowerCase()) ? {} : { disableInstanceDiscovery: true }) };
  return {
    credential: { ...authority, ...(trust === undefined ? {} : { tlsOptions: trust }) },
    storage: trust === undefined ? {} : { tlsOptions: trust },
  };
}
