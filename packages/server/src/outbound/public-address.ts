// Which IP addresses an outbound fetch made on a stranger's behalf may reach (SSRF defence for client ID metadata
// documents, draft-ietf-oauth-client-id-metadata-document §6 "Server-Side Request Forgery"): only globally routable
// unicast. Loopback, private (RFC 1918, RFC 4193), link-local, carrier-grade NAT, documentation, benchmarking,
// multicast, reserved and NAT64/6to4 forms that could smuggle one of them are refused (BlockList checks an IPv4-mapped
// IPv6 address against the IPv4 ranges).
import { BlockList, isIP } from 'node:net';

const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23],
  ['2001:db8::', 32], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');

/** True when `address` (an IP literal) is globally routable unicast; false for anything else, including non-IPs. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
