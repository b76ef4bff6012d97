/**
 * IP → host name per host, from DNS answers (Sysmon 22 QueryResults, sensor resolver events),
 * so a network event that only has an address gets the name the process asked for. Entries
 * expire after `dnsTtlMs` of event time (a TTL-like bound: real TTLs are not in the telemetry)
 * and the map is capped (least recently answered first out).
 *
 * Stored as the process table is (docs/performance.md#dns-map): an entry is a slot in typed
 * arrays, its address bytes in a TextStore, host and name interned, found through a hash index
 * of slots, in answer order through an intrusive list. A Map of `{name, time}` objects keyed by
 * strings promoted an object and a key per answer to the old generation, and evicting its first
 * entry walked over every entry deleted before it (V8 keeps them until it rehashes).
 */
import { grown } from '../compact/grown.js';
import { Interner } from '../compact/interner.js';
import { fromJsonNumber, toJsonNumber, type JsonNumber } from './json-number.js';
import type { Limits } from './limits.js';
import type { NameResolved } from './records.js';
import { hashText, SlotIndex } from '../compact/slot-index.js';
import { TextStore } from '../compact/text-store.js';

const NONE = -1;
const INITIAL_SLOTS = 256;

/** The map as JSON data (a streaming checkpoint): entries oldest answer first. */
export interface DnsSnapshot {
  now: JsonNumber;
  entries: Array<[host: string, ip: string, name: string, time: JsonNumber]>;
}

export class DnsMap {
  private now = -Infinity;
  private hosts = new Int32Array(0);
  private ips = new Int32Array(0);
  private names = new Int32Array(0);
  private times = new Float64Array(0);
  private hashes = new Int32Array(0);
  /** Answer order (oldest first out); free slots are chained through `newer`. */
  private older = new Int32Array(0);
  private newer = new Int32Array(0);
  private oldest = NONE;
  private newest = NONE;
  private count = 0;
  private slotCount = 0;
  private slotsUsed = 0;
  private freeSlot = NONE;

  private readonly index = new SlotIndex();
  private readonly strings = new Interner();
  private readonly texts = new TextStore();
  private queryHost = NONE;
  private queryIp = '';
  private readonly holds = (slot: number) => this.hosts[slot] === this.queryHost && this.texts.equals(this.ips[slot]!, this.queryIp);

  constructor(private readonly limits: Limits) {
    this.grow(INITIAL_SLOTS);
  }

  /** Entries held. */
  get size(): number {
    return this.count;
  }

  snapshot(): DnsSnapshot {
    const entries: DnsSnapshot['entries'] = [];
    for (let slot = this.oldest; slot !== NONE; slot = this.newer[slot]!) {
      entries.push([this.strings.text(this.hosts[slot]!), this.texts.get(this.ips[slot]!), this.strings.text(this.names[slot]!), toJsonNumber(this.times[slot]!)]);
    }
    return { now: toJsonNumber(this.now), entries };
  }

  /** A map in the state a snapshot describes. */
  static restored(limits: Limits, snap: DnsSnapshot): DnsMap {
    const map = new DnsMap(limits);
    map.now = fromJsonNumber(snap.now);
    for (const [host, ip, name, time] of snap.entries) map.insert(map.strings.acquire(host), ip, name, fromJsonNumber(time));
    return map;
  }

  add(rec: NameResolved): void {
    const time = rec.time ?? this.now;
    if (time > this.now) this.now = time;
    for (const ip of rec.ips) {
      const host = this.strings.acquire(rec.host);
      const slot = this.find(host, ip);
      if (slot !== NONE) this.remove(slot); // answered again: now the newest
      this.insert(host, ip, rec.name, time);
    }
    while (this.oldest !== NONE && !(this.count <= this.limits.maxDnsEntries && this.times[this.oldest]! >= this.now - this.limits.dnsTtlMs)) {
      this.remove(this.oldest);
    }
  }

  /** The name `ip` was last resolved from on `host`, if that answer is still fresh at `time`. */
  lookup(host: string, ip: string, time: number | undefined): string | undefined {
    const hostId = this.strings.lookup(host);
    if (hostId === undefined) return undefined;
    const slot = this.find(hostId, ip);
    if (slot === NONE) return undefined;
    const answered = this.times[slot]!;
    const t = time ?? this.now;
    if (t - answered > this.limits.dnsTtlMs) return undefined;
    if (answered - t > this.limits.pidSkewMs) return undefined; // answered after the connection
    return this.strings.text(this.names[slot]!);
  }

  private find(hostId: number, ip: string): number {
    this.queryHost = hostId;
    this.queryIp = ip;
    return this.index.find(hashText(hostId, ip), this.holds);
  }

  /** A new newest entry; `host` is a reference already taken for it. */
  private insert(host: number, ip: string, name: string, time: number): void {
    let slot = this.freeSlot;
    if (slot !== NONE) this.freeSlot = this.newer[slot]!;
    else {
      if (this.slotsUsed === this.slotCount) this.grow(this.slotCount * 2);
      slot = this.slotsUsed++;
    }
    this.hosts[slot] = host;
    this.ips[slot] = this.texts.put(ip);
    this.names[slot] = this.strings.acquire(name);
    this.times[slot] = time;
    this.hashes[slot] = hashText(host, ip);
    this.index.insert(slot, this.hashes[slot]!);
    this.older[slot] = this.newest;
    this.newer[slot] = NONE;
    if (this.newest === NONE) this.oldest = slot;
    else this.newer[this.newest] = slot;
    this.newest = slot;
    this.count++;
  }

  private remove(slot: number): void {
    this.index.remove(slot, this.hashes[slot]!);
    const before = this.older[slot]!;
    const after = this.newer[slot]!;
    if (before === NONE) this.oldest = after;
    else this.newer[before] = after;
    if (after === NONE) this.newest = before;
    else this.older[after] = before;
    this.strings.release(this.hosts[slot]!);
    this.strings.release(this.names[slot]!);
    this.texts.release(this.ips[slot]!);
    this.newer[slot] = this.freeSlot;
    this.freeSlot = slot;
    this.count--;
  }

  private grow(slots: number): void {
    this.hosts = grown(this.hosts, slots);
    this.ips = grown(this.ips, slots);
    this.names = grown(this.names, slots);
    this.hashes = grown(this.hashes, slots);
    this.older = grown(this.older, slots);
    this.newer = grown(this.newer, slots);
    this.times = grown(this.times, slots);
    this.slotCount = slots;
  }
}
