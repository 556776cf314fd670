import ipaddr from 'ipaddr.js';

export type SpecialAddressVerdict = { special: true; range: string } | { special: false };

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * The IANA IPv4 and IPv6 special-purpose address registries (plus multicast and broadcast), most specific
 * first so a verdict names the narrowest range. Outbound connections to these are refused unless an
 * explicit `allowAddresses` rule covers them: they reach private networks, the host, or cloud metadata.
 */
const IPV4_RANGES: readonly (readonly [string, string])[] = [
  ['169.254.169.254/32', 'cloud metadata (link-local)'],
  ['255.255.255.255/32', 'limited broadcast'],
  ['0.0.0.0/8', '"this network"'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared address space (CGNAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation (TEST-NET-1)'],
  ['192.31.196.0/24', 'AS112-v4'],
  ['192.52.193.0/24', 'AMT'],
  ['192.88.99.0/24', 'deprecated 6to4 relay anycast'],
  ['192.168.0.0/16', 'private'],
  ['192.175.48.0/24', 'direct delegation AS112 service'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation (TEST-NET-2)'],
  ['203.0.113.0/24', 'documentation (TEST-NET-3)'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

const IPV6_RANGES: readonly (readonly [string, string])[] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'IPv4-compatible (deprecated)'],
  ['64:ff9b::/96', 'IPv4/IPv6 translation'],
  ['64:ff9b:1::/48', 'local-use IPv4/IPv6 translation'],
  ['100::/64', 'discard-only'],
  ['100:0:0:1::/64', 'dummy prefix'],
  ['2001:db8::/32', 'documentation'],
  ['2001::/23', 'IETF protocol assignments (Teredo, benchmarking, ORCHID …)'],
  ['2002::/16', '6to4'],
  ['3fff::/20', 'documentation'],
  ['5f00::/16', 'segment routing SIDs'],
  ['fc00::/7', 'unique local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated)'],
  ['ff00::/8', 'multicast'],
];

const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

function table(ranges: readonly (readonly [string, string])[]): { cidr: Cidr; name: string }[] {
  return ranges.map(([cidr, name]) => ({ cidr: ipaddr.parseCIDR(cidr), name: `${cidr} ${name}` }));
}

const V4 = table(IPV4_RANGES);
const V6 = table(IPV6_RANGES);

/** Parses an address (IPv4, IPv6, IPv4-mapped IPv6 normalised to IPv4); undefined when it is not one. */
export function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const withoutZone = bare.replace(/%.*$/, '');
  if (!ipaddr.isValid(withoutZone)) return undefined;
  // ipaddr.isValid accepts shorthand IPv4 ("127.1", "0x7f.1"): only the four-part dotted form is an address.
  if (!withoutZone.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(withoutZone)) return undefined;
  return ipaddr.process(withoutZone);
}

/** Whether an address is in a special-purpose range (anything that is not a valid address counts as one). */
export function isSpecialAddress(ip: string): SpecialAddressVerdict {
  const address = parseAddress(ip);
  if (address === undefined) return { special: true, range: 'not an IP address' };
  if (address.kind() === 'ipv4') {
    const hit = V4.find((r) => r.cidr[0].kind() === 'ipv4' && address.match(r.cidr));
    return hit ? { special: true, range: hit.name } : { special: false };
  }
  const hit = V6.find((r) => r.cidr[0].kind() === 'ipv6' && address.match(r.cidr));
  if (hit) return { special: true, range: hit.name };
  // Only 2000::/3 is allocated as global unicast; the rest of the space is reserved.
  if (!address.match(GLOBAL_UNICAST)) return { special: true, range: 'outside 2000::/3 (reserved)' };
  return { special: false };
}
