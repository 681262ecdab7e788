// Which IP addresses an outbound call to a user-supplied URL may reach: public unicast only. Loopback,
// private (RFC 1918), shared (CGNAT), link-local (cloud metadata at 169.254.169.254), unique local,
// multicast, documentation and reserved ranges are refused, as are IPv6 forms that smuggle an IPv4
// address (mapped, compatible, Teredo), while NAT64 and 6to4 are judged by the address they embed.
// The ranges are ipaddr.js's special-purpose registry (IANA's IPv4 and IPv6 special-purpose address
// registries); anything it does not call `unicast` is refused.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

const loopback = 'a loopback address';
const privateRange = 'a private address';
const linkLocal = 'a link-local address';
const reserved = 'a reserved or special-purpose address';
const multicast = 'a multicast address';
const unspecified = 'an unspecified address';

/** Our words for ipaddr.js's range names; any other non-unicast range is `reserved`. */
const ipv4Reasons: Record<string, string> = {
  unspecified,
  private: privateRange,
  carrierGradeNat: 'a shared (carrier-grade NAT) address',
  loopback,
  linkLocal,
  multicast,
};

const ipv6Reasons: Record<string, string> = {
  unspecified,
  loopback,
  ipv4Mapped: 'an IPv4-mapped IPv6 address',
  rfc6145: 'an IPv4-mapped IPv6 address',
  teredo: 'a Teredo address',
  uniqueLocal: 'a unique local address',
  linkLocal,
  deprecatedSiteLocal: linkLocal,
  multicast,
};

/** ::/96 (IPv4-compatible, deprecated by RFC 4291) is not in ipaddr.js's list; it smuggles an IPv4 address. */
const ipv4Compatible = ipaddr.IPv6.parseCIDR('::/96');
/** NAT64's well-known prefix embeds the IPv4 address in its last 4 bytes (RFC 6052); the local-use /48 (RFC 8215) is private. */
const nat64WellKnown = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

function ipv4Problem(address: ipaddr.IPv4): string | null {
  const range = address.range();
  return range === 'unicast' ? null : (ipv4Reasons[range] ?? reserved);
}

function embeddedIpv4(bytes: number[], from: number): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes.slice(from, from + 4));
}

function ipv6Problem(address: ipaddr.IPv6): string | null {
  const range = address.range();
  const bytes = address.toByteArray();
  if (range === 'rfc6052') return address.match(nat64WellKnown) ? ipv4Problem(embeddedIpv4(bytes, 12)) : privateRange;
  if (range === '6to4') return ipv4Problem(embeddedIpv4(bytes, 2));
  if (range === 'unicast') return address.match(ipv4Compatible) ? 'an IPv4-compatible IPv6 address' : null;
  return ipv6Reasons[range] ?? reserved;
}

/**
 * Why an IP address must not be called, or null for a public unicast address. Anything that is not
 * an IP address is refused too (callers pass resolved addresses).
 */
export function blockedAddressReason(address: string): string | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const withoutZone = bare.split('%')[0] ?? bare;
  // node:net decides what counts as an address: ipaddr.js alone would also read '127.1' or '0x7f.1'.
  const family = isIP(withoutZone);
  if (family === 4) return ipv4Problem(ipaddr.IPv4.parse(withoutZone));
  if (family === 6) return ipv6Problem(ipaddr.IPv6.parse(withoutZone));
  return 'not an IP address';
}
