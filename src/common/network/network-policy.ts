import { BlockList, isIP } from 'node:net';

/**
 * Address ranges a target may not reach unless allowed (spec §5): this host, private networks,
 * link-local (cloud metadata at 169.254.169.254 and fd00:ec2::254), CGNAT, and ranges that are
 * no unicast destination at all.
 */
const BLOCKED_RANGES: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

/** A CIDR such as `127.0.0.0/8` or `::1/128`; undefined when malformed. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match) return undefined;
  const address = match[1]!;
  const prefix = Number(match[2]);
  const version = isIP(address);
  if (version === 0 || prefix > (version === 4 ? 32 : 128)) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Decides which addresses targets may be called on: all but the blocked ranges, plus what TARGET_ALLOWED_NETWORKS allows. */
export class NetworkPolicy {
  private readonly blocked = new BlockList();
  private readonly allowed = new BlockList();

  constructor(allowedNetworks: readonly string[] = []) {
    for (const [address, prefix, family] of BLOCKED_RANGES) this.blocked.addSubnet(address, prefix, family);
    for (const cidr of allowedNetworks) {
      const parsed = parseCidr(cidr);
      if (!parsed) throw new Error(`Not a CIDR: ${cidr}`);
      this.allowed.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
  }

  /** True when a call may connect to `address` (an IP literal; anything else is refused). */
  allows(address: string): boolean {
    const unbracketed = address.replace(/^\[(.*)\]$/, '$1');
    const version = isIP(unbracketed);
    if (version === 0) return false;
    const v4 = version === 6 ? embeddedIpv4(unbracketed) : unbracketed;
    if (v4 !== undefined) return !this.blocked.check(v4, 'ipv4') || this.allowed.check(v4, 'ipv4');
    return !this.blocked.check(unbracketed, 'ipv6') || this.allowed.check(unbracketed, 'ipv6');
  }

  /**
   * The check at create/update time, where no lookup is made: a literal address or `localhost`
   * (which always means this host) must be allowed; other names are checked when called.
   */
  allowsEndpointHost(hostname: string): boolean {
    const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase().replace(/\.$/, '');
    if (host === 'localhost' || host.endsWith('.localhost')) return this.allows('127.0.0.1') && this.allows('::1');
    return isIP(host) === 0 || this.allows(host);
  }
}
