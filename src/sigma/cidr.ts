/** CIDR networks for the `cidr` modifier: membership tests and wildcard-prefix expansion. */

export interface Cidr {
  readonly text: string;
  readonly version: 4 | 6;
  /** Network address bytes (4 or 16). */
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

export function parseIPv4(text: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? Uint8Array.from(b) : undefined;
}

export function parseIPv6(input: string): Uint8Array | undefined {
  const text = input.replace(/%.*$/, ''); // zone id
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const items = s.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (i === items.length - 1 && it.includes('.')) {
        const v4 = parseIPv4(it);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(it)) out.push(parseInt(it, 16));
      else return undefined;
    }
    return out;
  };
  const head = toGroups(halves[0]!);
  const tail = halves.length === 2 ? toGroups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** Parse `addr/len` (or a bare address); throws when malformed or when host bits are set. */
export function parseCidr(text: string): Cidr {
  const invalid = (why: string) => new Error(`Invalid CIDR expression '${text}': ${why}`);
  const [addr = '', len, extra] = text.trim().split('/');
  if (extra !== undefined) throw invalid('more than one "/"');
  const v4 = parseIPv4(addr);
  const bytes = v4 ?? parseIPv6(addr);
  if (!bytes) throw invalid('not an IPv4 or IPv6 address');
  const bits = bytes.length * 8;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) throw invalid('bad prefix length');
  const prefix = len === undefined ? bits : Number(len);
  if (prefix > bits) throw invalid(`prefix length above ${bits}`);
  if (!inPrefix(bytes, bytes, prefix, true)) throw invalid('host bits set');
  return { text, version: v4 ? 4 : 6, bytes, prefix };
}

/** Compare the first `prefix` bits; with `hostZero`, also require the remaining bits of `a` to be 0. */
function inPrefix(a: Uint8Array, net: Uint8Array, prefix: number, hostZero = false): boolean {
  for (let i = 0; i < a.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    const mask = (0xff << (8 - keep)) & 0xff;
    if (hostZero ? (a[i]! & ~mask & 0xff) !== 0 : (a[i]! & mask) !== (net[i]! & mask)) return false;
  }
  return true;
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const bytes = cidr.version === 4 ? parseIPv4(ip.trim()) : parseIPv6(ip.trim());
  return bytes !== undefined && inPrefix(bytes, cidr.bytes, cidr.prefix);
}

/**
 * Expand a CIDR network into OR-linked Sigma wildcard values (`10.*`, `192.168.1.*`),
 * for backends without a native CIDR operator. IPv4 works on octets, IPv6 on hex
 * nibbles of the uncompressed groups (leading zeros dropped, as they are usually printed).
 */
export function cidrToWildcards(text: string): string[] {
  const c = parseCidr(text);
  if (c.prefix === 0) return ['*'];
  if (c.version === 4) {
    const full = Math.floor(c.prefix / 8);
    const rem = c.prefix % 8;
    const head = [...c.bytes.slice(0, full)].map(String);
    if (rem === 0) return [head.join('.') + (full === 4 ? '' : '.*')];
    const base = c.bytes[full]!;
    const out: string[] = [];
    for (let v = base; v < base + (1 << (8 - rem)); v++) {
      const parts = [...head, String(v)].join('.');
      out.push(full === 3 ? parts : parts + '.*');
    }
    return out;
  }
  if (c.prefix === 128) return [compressIPv6(c.bytes)];
  const groups = Array.from({ length: 8 }, (_, i) => ((c.bytes[2 * i]! << 8) | c.bytes[2 * i + 1]!).toString(16).padStart(4, '0'));
  const nibbles = Math.floor(c.prefix / 4);
  const rem = c.prefix % 4;
  const fullGroups = Math.floor(nibbles / 4);
  const head = groups.slice(0, fullGroups).map((g) => g.replace(/^0+(?=.)/, ''));
  const partial = groups[fullGroups]!.slice(0, nibbles % 4);
  const variants: string[] = [];
  if (rem === 0) variants.push(partial);
  else {
    const base = parseInt(groups[fullGroups]![nibbles % 4]!, 16);
    for (let v = base; v < base + (1 << (4 - rem)); v++) variants.push(partial + v.toString(16));
  }
  return variants.map((p) => {
    const last = p.replace(/^0+(?=.)/, '');
    return [...head, ...(p === '' ? [] : [last])].join(':') + (p === '' ? ':*' : '*');
  });
}

function compressIPv6(bytes: Uint8Array): string {
  const g = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}
