/**
 * Allowed destinations from the config: host names (exact or any subdomain, never a substring,
 * the same rule as the enrichment's registry allowlist), IP addresses and CIDR ranges.
 */
import { cidrContains, parseCidr, type Cidr } from '../sigma/cidr.js';

export type HostEntry = { kind: 'name'; name: string } | { kind: 'range'; cidr: Cidr };

/** One config entry: a host name (`*.corp.example` = `corp.example`), an IP or a CIDR; else the reason. */
export function parseHostEntry(text: string): HostEntry | string {
  const e = text.trim().toLowerCase().replace(/\.+$/, '');
  if (e === '') return 'empty host';
  if (/^[0-9a-f:.]+\/\d{1,3}$/.test(e) || isIp(e)) {
    try {
      return { kind: 'range', cidr: parseCidr(e) };
    } catch (err) {
      return (err as Error).message;
    }
  }
  const name = e.replace(/^\*?\./, '');
  if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name)) {
    return `'${text}' is not a host name, IP address or CIDR range (give a URL's host, not the URL)`;
  }
  return { kind: 'name', name };
}

export class HostAllowlist {
  private readonly names = new Set<string>();
  private readonly ranges: Cidr[] = [];

  add(entry: HostEntry): void {
    if (entry.kind === 'name') this.names.add(entry.name);
    else this.ranges.push(entry.cidr);
  }

  /** Host names only (what the enrichment's registry allowlist takes). */
  get hostNames(): string[] {
    return [...this.names];
  }

  /** A host name, or an IP address (IPv4-mapped IPv6 reduced to IPv4). */
  allows(hostOrIp: string): boolean {
    let h = hostOrIp.trim().toLowerCase().replace(/\.+$/, '');
    if (h.startsWith('::ffff:') && isIp(h.slice(7))) h = h.slice(7);
    if (h === '' || h === '-') return false;
    if (isIp(h)) return this.ranges.some((r) => cidrContains(r, h));
    if (this.names.has(h)) return true;
    for (let dot = h.indexOf('.'); dot !== -1; dot = h.indexOf('.', dot + 1)) {
      if (this.names.has(h.slice(dot + 1))) return true;
    }
    return false;
  }
}

export function isIp(text: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) || (/^[0-9a-f:.]+$/i.test(text) && text.includes(':'));
}
