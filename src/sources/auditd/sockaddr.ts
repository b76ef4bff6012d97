/**
 * SOCKADDR `saddr=HEX`: the raw `struct sockaddr` the process passed. The family is a host-order
 * (little-endian on every architecture auditd logs here: x86, arm64) 16-bit word; ports and IPv4/
 * IPv6 addresses are in network order.
 */

export type SocketAddress =
  | { family: 'inet' | 'inet6'; ip: string; port: number }
  | { family: 'unix'; path: string }
  | { family: 'other'; number: number };

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;

export function decodeSockaddr(hex: string): SocketAddress | undefined {
  if (hex.length < 4 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  const bytes = Buffer.from(hex, 'hex');
  const family = bytes.readUInt16LE(0);
  if (family === AF_INET) {
    if (bytes.length < 8) return undefined;
    return { family: 'inet', port: bytes.readUInt16BE(2), ip: `${bytes[4]}.${bytes[5]}.${bytes[6]}.${bytes[7]}` };
  }
  if (family === AF_INET6) {
    if (bytes.length < 24) return undefined;
    return { family: 'inet6', port: bytes.readUInt16BE(2), ip: formatIpv6(bytes.subarray(8, 24)) };
  }
  if (family === AF_UNIX) {
    const raw = bytes.subarray(2);
    // Abstract sockets start with NUL (shown as `@`, like ss and netstat); paths end at the first NUL.
    if (raw.length > 0 && raw[0] === 0) return { family: 'unix', path: '@' + cutAtNul(raw.subarray(1)) };
    return { family: 'unix', path: cutAtNul(raw) };
  }
  return { family: 'other', number: family };
}

function cutAtNul(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  return bytes.toString('utf8', 0, nul < 0 ? bytes.length : nul);
}

/** RFC 5952 text: lower case, longest run (≥ 2) of zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`. */
export function formatIpv6(addr: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(addr.readUInt16BE(i));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${addr[12]}.${addr[13]}.${addr[14]}.${addr[15]}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const text = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return text(groups);
  return `${text(groups.slice(0, bestStart))}::${text(groups.slice(bestStart + bestLength))}`;
}
