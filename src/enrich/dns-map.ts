/**
 * IP → host name per host, from DNS answers (Sysmon 22 QueryResults, sensor resolver events),
 * so a network event that only has an address gets the name the process asked for. Entries
 * expire after `dnsTtlMs` of event time (a TTL-like bound: real TTLs are not in the telemetry)
 * and the map is capped (least recently answered first out).
 */
import type { Limits } from './limits.js';
import type { NameResolved } from './records.js';
import { restoreDns, snapshotDns, type DnsSnapshot } from './snapshot.js';

export interface DnsData {
  /** host\0ip → name and answer time, in answer order (the first is the oldest). */
  entries: Map<string, { name: string; time: number }>;
  now: number;
}

export function emptyDns(): DnsData {
  return { entries: new Map(), now: -Infinity };
}

export class DnsMap {
  constructor(readonly data: DnsData, private readonly limits: Limits) {}

  snapshot(): DnsSnapshot {
    return snapshotDns(this.data);
  }

  restore(snap: DnsSnapshot): void {
    restoreDns(this.data, snap);
  }

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
