// Which IP addresses an outbound call to a user-supplied URL may reach: public unicast only. Loopback,
// private (RFC 1918), shared (CGNAT), link-local (cloud metadata at 169.254.169.254), unique local,
// multicast, documentation and reserved ranges are refused, as are IPv6 forms that smuggle an IPv4
// address (mapped, compatible, Teredo), while NAT64 and 6to4 are judged by the address they embed.
import { isIP } from 'node:net';

interface Range {
  bytes: number[];
  prefix: number;
  reason: string;
}

const loopback = 'a loopback address';
const privateRange = 'a private address';
const linkLocal = 'a link-local address';
const reserved = 'a reserved or special-purpose address';

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

/** The 16 bytes of an IPv6 address (zone id already removed). */
function ipv6Bytes(address: string): number[] {
  let text = address;
  const tail: number[] = [];
  // A dotted IPv4 tail (::ffff:1.2.3.4) is the last 4 bytes.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] && dotted[2]) {
    tail.push(...ipv4Bytes(dotted[2]));
    text = dotted[1].endsWith('::') ? dotted[1] : dotted[1].slice(0, -1);
  }
  const [head = '', rest] = text.split('::', 2) as [string, string | undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const headGroups = groups(head);
  const restGroups = rest === undefined ? [] : groups(rest);
  const missing = 8 - tail.length / 2 - headGroups.length - restGroups.length;
  const all = [...headGroups, ...Array<number>(rest === undefined ? 0 : missing).fill(0), ...restGroups];
  return [...all.flatMap((g) => [g >> 8, g & 0xff]), ...tail];
}

function range(cidr: string, reason: string): Range {
  const [address = '', prefix = ''] = cidr.split('/');
  return { bytes: isIP(address) === 4 ? ipv4Bytes(address) : ipv6Bytes(address), prefix: Number(prefix), reason };
}

function inRange(bytes: number[], r: Range): boolean {
  if (bytes.length !== r.bytes.length) return false;
  for (let bit = 0; bit < r.prefix; bit += 8) {
    const width = Math.min(8, r.prefix - bit);
    const mask = (0xff << (8 - width)) & 0xff;
    const i = bit / 8;
    if (((bytes[i] ?? 0) & mask) !== ((r.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

const ipv4Blocked: Range[] = [
  range('0.0.0.0/8', 'an unspecified address'),
  range('10.0.0.0/8', privateRange),
  range('100.64.0.0/10', 'a shared (carrier-grade NAT) address'),
  range('127.0.0.0/8', loopback),
  range('169.254.0.0/16', linkLocal),
  range('172.16.0.0/12', privateRange),
  range('192.0.0.0/24', reserved),
  range('192.0.2.0/24', reserved),
  range('192.168.0.0/16', privateRange),
  range('198.18.0.0/15', reserved),
  range('198.51.100.0/24', reserved),
  range('203.0.113.0/24', reserved),
  range('224.0.0.0/4', 'a multicast address'),
  range('240.0.0.0/4', reserved),
];

const ipv6Blocked: Range[] = [
  range('::1/128', loopback),
  range('::/128', 'an unspecified address'),
  range('::ffff:0:0/96', 'an IPv4-mapped IPv6 address'),
  range('::/96', 'an IPv4-compatible IPv6 address'),
  range('64:ff9b:1::/48', privateRange),
  range('100::/64', reserved),
  range('2001::/32', 'a Teredo address'),
  range('2001:db8::/32', reserved),
  range('fc00::/7', 'a unique local address'),
  range('fe80::/10', linkLocal),
  range('fec0::/10', linkLocal),
  range('ff00::/8', 'a multicast address'),
];

/** IPv6 ranges that carry an IPv4 address, judged by that address: NAT64 (last 4 bytes) and 6to4 (bytes 2..5). */
const embeddingRanges: { range: Range; embedded: (bytes: number[]) => number[] }[] = [
  { range: range('64:ff9b::/96', ''), embedded: (b) => b.slice(12, 16) },
  { range: range('2002::/16', ''), embedded: (b) => b.slice(2, 6) },
];

function ipv4Problem(bytes: number[]): string | null {
  return ipv4Blocked.find((r) => inRange(bytes, r))?.reason ?? null;
}

/**
 * Why an IP address must not be called, or null for a public unicast address. Anything that is not
 * an IP address is refused too (callers pass resolved addresses).
 */
export function blockedAddressReason(address: string): string | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const withoutZone = bare.split('%')[0] ?? bare;
  const family = isIP(withoutZone);
  if (family === 4) return ipv4Problem(ipv4Bytes(withoutZone));
  if (family !== 6) return 'not an IP address';
  const bytes = ipv6Bytes(withoutZone);
  const blocked = ipv6Blocked.find((r) => inRange(bytes, r));
  if (blocked) return blocked.reason;
  const embedding = embeddingRanges.find((e) => inRange(bytes, e.range));
  return embedding ? ipv4Problem(embedding.embedded(bytes)) : null;
}
