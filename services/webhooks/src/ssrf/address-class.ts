import { isIPv4, isIPv6 } from 'node:net';

/**
 * What kind of address an IP is, for deciding whether a webhook may be sent to it. Only
 * `public` is called by default; everything else (loopback, private, link-local, unique-local,
 * CGNAT, multicast, documentation and other reserved ranges) is refused unless the deployment
 * sets WEBHOOK_ALLOW_PRIVATE. Pure: no DNS, no traffic.
 */
export type AddressClass =
  'public' | 'unspecified' | 'loopback' | 'private' | 'link-local' | 'unique-local' | 'cgnat' | 'multicast' | 'reserved' | 'documentation' | 'invalid';

interface Range {
  base: bigint;
  bits: number;
  kind: Exclude<AddressClass, 'public' | 'invalid'>;
}

function ipv4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(ip: string): bigint {
  let text = ip.split('%')[0]!;
  // An embedded dotted IPv4 tail (::ffff:127.0.0.1) becomes two hex groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4ToBigInt(dotted[1]!);
    text = `${text.slice(0, -dotted[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

const v4 = (cidr: string, kind: Range['kind']): Range => {
  const [ip, bits] = cidr.split('/');
  return { base: ipv4ToBigInt(ip!), bits: Number(bits), kind };
};
const v6 = (cidr: string, kind: Range['kind']): Range => {
  const [ip, bits] = cidr.split('/');
  return { base: ipv6ToBigInt(ip!), bits: Number(bits), kind };
};

/** IANA's special-purpose IPv4 registry, as far as it concerns where a request may go. */
const IPV4_RANGES: Range[] = [
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'cgnat'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'),
  v4('192.0.2.0/24', 'documentation'),
  v4('192.88.99.0/24', 'reserved'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'reserved'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
];

/** IPv6 ranges; those embedding an IPv4 address (mapped, NAT64, 6to4) are classified by it. */
const IPV6_RANGES: Range[] = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('::/96', 'reserved'), // IPv4-compatible (deprecated)
  v6('100::/64', 'reserved'), // discard
  v6('2001::/32', 'reserved'), // Teredo
  v6('2001:2::/48', 'reserved'), // benchmarking
  v6('2001:10::/28', 'reserved'), // ORCHID
  v6('2001:20::/28', 'reserved'), // ORCHIDv2
  v6('2001:db8::/32', 'documentation'),
  v6('3fff::/20', 'documentation'),
  v6('5f00::/16', 'reserved'), // SRv6 SIDs
  v6('fc00::/7', 'unique-local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'private'), // site-local (deprecated)
  v6('ff00::/8', 'multicast'),
  v6('64:ff9b:1::/48', 'private'), // local-use NAT64
];

const inRange = (value: bigint, width: number, range: Range): boolean => value >> BigInt(width - range.bits) === range.base >> BigInt(width - range.bits);

function classifyV4(value: bigint): AddressClass {
  if (value === 0xffffffffn) return 'reserved'; // limited broadcast
  return IPV4_RANGES.find((r) => inRange(value, 32, r))?.kind ?? 'public';
}

/** The class of an IPv4 or IPv6 address (IPv4-mapped, NAT64 and 6to4 addresses by the IPv4 inside). */
export function classifyAddress(ip: string): AddressClass {
  if (isIPv4(ip)) return classifyV4(ipv4ToBigInt(ip));
  if (!isIPv6(ip)) return 'invalid';
  const value = ipv6ToBigInt(ip);
  // ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64): the IPv4 address is what is reached.
  if (value >> 32n === 0xffffn || value >> 32n === ipv6ToBigInt('64:ff9b::') >> 32n) return classifyV4(value & 0xffffffffn);
  // 2002:AABB:CCDD::/48 (6to4) tunnels to the IPv4 address AA.BB.CC.DD.
  if (value >> 112n === 0x2002n) return classifyV4((value >> 80n) & 0xffffffffn);
  return IPV6_RANGES.find((r) => inRange(value, 128, r))?.kind ?? 'public';
}
