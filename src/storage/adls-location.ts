// Where an ADLS Gen2 destination's data lives, from its dfs URL alone (no Azure SDK needed): the
// store factory guards the host before it loads the SDK.

/**
 * https://<account>.dfs.<suffix>/<filesystem>[/…] → the account's Blob endpoint (ADLS Gen2 accounts
 * serve the Blob API too) and the file system, which is the container.
 */
export function adlsLocation(url: string, endpointOverride: string | undefined): { blobEndpoint: string; fileSystem: string } {
  const parsed = new URL(url);
  const [fileSystem = ''] = parsed.pathname.split('/').filter((s) => s !== '');
  const account = parsed.hostname.split('.')[0] ?? '';
  const blobEndpoint = endpointOverride === undefined ? `${parsed.protocol}//${parsed.host.replace('.dfs.', '.blob.')}` : `${endpointOverride}/${account}`;
  return { blobEndpoint, fileSystem };
}
