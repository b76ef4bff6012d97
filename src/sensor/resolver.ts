/**
 * Host names for connections, recovered from what the process itself did before connecting.
 *
 * strace shows the DNS queries a process sends (sendto/sendmsg/sendmmsg to port 53: the query
 * name is in the buffer) but not the answers (tracing recvfrom would stop every read of every
 * Python socket). So a connection to an address never seen before is bound to the name the same
 * process queried most recently; the binding is remembered, so later connections to that address
 * (npm caches lookups) get the same name. An address listed in /etc/hosts gets its name from
 * there first (the resolver answers those without DNS). Limits are documented in docs/sensor.md.
 */
import { readFileSync } from 'node:fs';

export interface DnsQuestion {
  name: string;
  /** A, AAAA, … or TYPEnn */
  type: string;
}

const QTYPES: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 65: 'HTTPS', 255: 'ANY' };

/** The first question of a DNS query message (UDP, or TCP with its 2-byte length prefix). */
export function decodeDnsQuery(buf: Buffer): DnsQuestion | undefined {
  return decodeAt(buf, 0) ?? (buf.length > 2 && buf.readUInt16BE(0) === buf.length - 2 ? decodeAt(buf, 2) : undefined);
}

function decodeAt(buf: Buffer, base: number): DnsQuestion | undefined {
  if (buf.length < base + 17) return undefined;
  const flags = buf.readUInt16BE(base + 2);
  const qdcount = buf.readUInt16BE(base + 4);
  // A query (QR = 0), standard opcode, at least one question.
  if (flags & 0x8000 || ((flags >> 11) & 0xf) !== 0 || qdcount < 1) return undefined;
  const labels: string[] = [];
  let i = base + 12;
  for (;;) {
    if (i >= buf.length) return undefined;
    const len = buf[i]!;
    i += 1;
    if (len === 0) break;
    // Compression pointers never appear in a question; longer labels are not DNS.
    if (len > 63 || i + len > buf.length) return undefined;
    labels.push(buf.toString('latin1', i, i + len));
    i += len;
  }
  if (i + 4 > buf.length || labels.length === 0) return undefined;
  const qtype = buf.readUInt16BE(i);
  return { name: labels.join('.').toLowerCase(), type: QTYPES[qtype] ?? `TYPE${qtype}` };
}

/** /etc/hosts text → address → first name. */
export function parseHosts(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const [address, name] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (address && name && !map.has(address)) map.set(address, name.toLowerCase());
  }
  return map;
}

export interface HostName {
  name: string;
  /** `dns`: bound from the process's own query; `hosts`: reverse map of /etc/hosts. */
  from: 'dns' | 'hosts';
}

/** After this long, a process's last query no longer explains a new address. */
const QUERY_FRESH_MS = 30_000;
const MAX_BINDINGS = 10_000;

export class HostResolver {
  private readonly lastQuery = new Map<number, { name: string; time: number }>();
  private readonly bound = new Map<string, string>();

  constructor(private readonly hosts: Map<string, string>) {}

  /** `name` was answered with `address` (the audit driver's DNS stub sees the answers). */
  answered(name: string, address: string): void {
    if (this.bound.size >= MAX_BINDINGS) this.bound.delete(this.bound.keys().next().value!);
    this.bound.delete(address);
    this.bound.set(address, name);
  }

  query(pid: number, name: string, time: number): void {
    this.lastQuery.set(pid, { name, time });
  }

  /** The host name a connection from `pid` to `address` was most likely made to. */
  nameFor(pid: number, address: string, time: number): HostName | undefined {
    // An address /etc/hosts names (loopback, pinned hosts) is not what a DNS query answered.
    const fromHosts = this.hosts.get(address);
    if (fromHosts) return { name: fromHosts, from: 'hosts' };
    const known = this.bound.get(address);
    if (known) return { name: known, from: 'dns' };
    const last = this.lastQuery.get(pid);
    if (last && time - last.time <= QUERY_FRESH_MS && !isReverseName(last.name)) {
      if (this.bound.size >= MAX_BINDINGS) this.bound.delete(this.bound.keys().next().value!);
      this.bound.set(address, last.name);
      return { name: last.name, from: 'dns' };
    }
    return undefined;
  }
}

function isReverseName(name: string): boolean {
  return name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa');
}

/** The text of a system file (/etc/hosts, /etc/resolv.conf), or '' when it cannot be read: a sensor names hosts without it. */
export function systemFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
