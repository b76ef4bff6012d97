/**
 * The reference model of the DNS map for test/enrich/dns-map.test.ts: the implementation before
 * the compact one (commit 7c56adf), a Map of entry objects in answer order.
 */
import type { Limits } from '../../src/enrich/limits.js';
import type { NameResolved } from '../../src/enrich/records.js';

export interface DnsData {
  /** host\0ip → name and answer time, in answer order (the first is the oldest). */
  entries: Map<string, { name: string; time: number }>;
  now: number;
}

export function emptyDns(): DnsData {
  return { entries: new Map(), now: -Infinity };
}

export class ReferenceDnsMap {
  constructor(readonly data: DnsData, private readonly limits: Limits) {}

  add(rec: NameResolved): void {
    const d = this.data;
    const time = rec.time ?? d.now;
    if (time > d.now) d.now = time;
    for (const ip of rec.ips) {
      const key = `${rec.host}\0${ip}`;
      d.entries.delete(key);
      d.entries.set(key, { name: rec.name, time });
    }
    for (const [key, entry] of d.entries) {
      if (d.entries.size <= this.limits.maxDnsEntries && entry.time >= d.now - this.limits.dnsTtlMs) break;
      d.entries.delete(key);
    }
  }

  /** The name `ip` was last resolved from on `host`, if that answer is still fresh at `time`. */
  lookup(host: string, ip: string, time: number | undefined): string | undefined {
    const entry = this.data.entries.get(`${host}\0${ip}`);
    if (!entry) return undefined;
    const t = time ?? this.data.now;
    if (t - entry.time > this.limits.dnsTtlMs) return undefined;
    if (entry.time - t > this.limits.pidSkewMs) return undefined; // answered after the connection
    return entry.name;
  }
}
