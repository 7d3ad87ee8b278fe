import { BlockList, isIP, isIPv4 } from 'node:net';

/** Parses an IP address or CIDR range and returns it as `address/prefix`, or undefined when it is invalid. */
export function parseIpRange(text: string): string | undefined {
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return undefined;

  const maxPrefix = family === 6 ? 128 : 32;
  if (prefixText === undefined) return `${address.toLowerCase()}/${maxPrefix}`;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) return undefined;
  return `${address.toLowerCase()}/${Number(prefixText)}`;
}

/** Writes an IPv4 address that a dual-stack socket reports as ::ffff:a.b.c.d in its plain form. */
export function plainAddress(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

/** Builds a membership test for ranges in the `address/prefix` form that parseIpRange returns. */
export function ipRangeSet(ranges: readonly string[]): (address: string) => boolean {
  const blockList = new BlockList();
  for (const range of ranges) {
    const [address = '', prefix = ''] = range.split('/');
    blockList.addSubnet(address, Number(prefix), isIPv4(address) ? 'ipv4' : 'ipv6');
  }
  return (address) => {
    const plain = plainAddress(address);
    const family = isIP(plain);
    return family !== 0 && blockList.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  };
}
