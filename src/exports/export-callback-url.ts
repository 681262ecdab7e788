// A first guard for callback URLs: https only, no credentials in the URL, and no literal loopback,
// private, link-local or unspecified addresses (unless local development allows them). Host names
// are not resolved here; the full SSRF guard at delivery time comes with the webhook sender.
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

function isPrivateLiteral(hostname: string): boolean {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const family = isIP(host);
  if (family === 4) return blocked.check(host, 'ipv4');
  if (family === 6) {
    // IPv4-mapped IPv6 (::ffff:10.0.0.1) is the IPv4 address in disguise.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host)?.[1];
    if (mapped) return blocked.check(mapped, 'ipv4');
    return blocked.check(host, 'ipv6');
  }
  return host === 'localhost' || host.endsWith('.localhost');
}

/** Why the URL is refused, or null when it may be used. */
export function callbackUrlProblem(raw: string, opts: { allowPrivate: boolean }): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && opts.allowPrivate)) {
    return opts.allowPrivate ? 'must use https or http' : 'must use https';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (!opts.allowPrivate && isPrivateLiteral(url.hostname)) return 'must not point to a loopback, private or link-local address';
  return null;
}
