import { isIPv4, isIPv6 } from 'node:net';

/**
 * The address kept with an event: an IPv4 address with its last octet zeroed, an IPv6 address
 * cut to its /48 prefix. Anything unparsable is dropped rather than stored as given.
 */
export function anonymiseIp(ip: string | undefined | null): string | null {
  if (!ip) return null;
  const address = ip.trim();
  if (isIPv4(address)) return `${address.slice(0, address.lastIndexOf('.'))}.0`;
  if (!isIPv6(address)) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return anonymiseIp(mapped[1]);
  const groups = expandIPv6(address);
  return `${groups.slice(0, 3).join(':')}::`;
}

function expandIPv6(address: string): string[] {
  const withoutZone = address.split('%')[0] ?? address;
  const [head = '', tail] = withoutZone.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const all = [...headGroups, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailGroups];
  return all.map((g) => Number.parseInt(g, 16).toString(16));
}
