/**
 * Process trees of every host.
 *
 * Identity: `ProcessGuid` (Sysmon on Windows and Linux) where present; otherwise pid plus start
 * time, because pids are reused (auditd, 4688, the sensor). A child links to its parent, so
 * ancestry survives the parent's eviction from lookup (docs/enrichment.md#limits).
 *
 * Storage is compact (docs/performance.md#process-table): a process is a slot in typed arrays,
 * its repeated strings (host, image, working directory, parent image) are interned, its command
 * lines and ProcessGuid are bytes in a TextStore, and it is found through hash indexes of slots:
 * nothing per process is a heap object. A Map of objects holding 100,000 processes was ~150 MB
 * live, and since each process lived ~100,000 events, promoted and dying in old space, it peaked
 * near 400 MB.
 *
 * Slots are freed by a sweep, as a garbage collector would: a slot is needed while it is in
 * lookup, waits for its parent, or is within `maxDepth` links above one in lookup (the only
 * ancestors an event can ever read); the others are freed once the slots in use have grown by
 * half since the last sweep. Views (`view`, `ancestors`) are fresh objects per call.
 */
import type { Ancestor } from './enricher.js';
import { ExitQueue, type Exit } from './exit-queue.js';
import { analysisOf, primeAnalysis, type Analysis } from './install-context.js';
import { grown } from '../compact/grown.js';
import { Interner } from '../compact/interner.js';
import { fromJsonNumber, toJsonNumber, type JsonNumber } from './json-number.js';
import type { Limits } from './limits.js';
import type { ProcessEnd, ProcessId, ProcessStart } from './records.js';
import { hashNumber, hashText, SlotIndex } from '../compact/slot-index.js';
import { TextStore } from '../compact/text-store.js';

/** No slot, no string. */
export const NONE = -1;
const LIVE = 1;
const INDEXED = 2;
const PLACEHOLDER = 4;
const INITIAL_SLOTS = 256;
/** Sweep when the slots in use grow by half of those kept, or by this many if more (a sweep walks every slot). */
const MIN_SWEEP_GROWTH = 64;

const guidKey = (host: string, guid: string) => `${host}\0g:${guid}`;
const pidKey = (host: string, pid: number) => `${host}\0p:${pid}`;
const optional = (n: number) => (Number.isNaN(n) ? undefined : n);

/** One process slot as plain data; `parent` is an index into `TreeSnapshot.slots`, or -1. */
export interface SlotSnapshot {
  flags: number;
  host: string;
  pid: JsonNumber;
  start: JsonNumber;
  exited: JsonNumber;
  guid?: string;
  image?: string;
  commandLine?: string;
  cwd?: string;
  parent: number;
  parentPid: JsonNumber;
  parentGuid?: string;
  parentImage?: string;
  parentCommandLine?: string;
}

/** The whole tree as JSON data (a streaming checkpoint: src/stream/checkpoint.ts). */
export interface TreeSnapshot {
  now: JsonNumber;
  /** Every slot held (in lookup, or kept as an ancestor or a waiting child). */
  slots: SlotSnapshot[];
  /** Slots in lookup, oldest (first to evict) first. */
  lookup: number[];
  /** Children waiting for a parent: key, arrival time, slots; in expiry order. */
  orphans: Array<[key: string, time: JsonNumber, children: number[]]>;
  /** Exits to apply: time, guid, host, pid, start; in order. */
  exits: Array<[at: JsonNumber, guid: string | null, host: string, pid: JsonNumber, start: JsonNumber]>;
}

export class ProcessTree {
  /** Latest event time applied (state clock). */
  private now = -Infinity;

  // Per slot.
  private flags = new Uint8Array(0);
  private hosts = new Int32Array(0);
  private pids = new Float64Array(0);
  /** Start time (the creation event's time), epoch ms; NaN when unknown (placeholders). */
  private starts = new Float64Array(0);
  private exited = new Float64Array(0);
  private images = new Int32Array(0);
  private commandLines = new Int32Array(0);
  private cwds = new Int32Array(0);
  private parents = new Int32Array(0);
  /** The parent's id, image and command line as the creation event named them: kept while the parent is unknown. */
  private parentPids = new Float64Array(0);
  private parentGuids = new Int32Array(0);
  private parentImages = new Int32Array(0);
  private parentCommandLines = new Int32Array(0);
  /** Lookup (insertion) order: the oldest is the first evicted. */
  private older = new Int32Array(0);
  private newer = new Int32Array(0);
  /** pid identity: the next older incarnation of the same host and pid; free slots: the next free slot. */
  private nextSlot = new Int32Array(0);
  /** ProcessGuid (guid identity), NONE for pid identity. */
  private guids = new Int32Array(0);
  /** Hash of the lookup key (host and guid, or host and pid). */
  private keyHashes = new Int32Array(0);
  /** Sweep marks: how many links above this slot an event may still read (−1: none). */
  private reach = new Int32Array(0);
  /** Install-context analyses of the process and of its named parent (shared objects, mostly one). */
  private analyses: (Analysis | undefined)[] = [];
  private parentAnalyses: (Analysis | undefined)[] = [];

  private slotCount = 0;
  private slotsUsed = 0;
  private freeSlot = NONE;
  private inUse = 0;
  private sweepAt = MIN_SWEEP_GROWTH;
  private oldestSlot = NONE;
  private newestSlot = NONE;
  private indexed = 0;

  /** host and guid → slot. */
  private readonly byGuid = new SlotIndex();
  /** host and pid → its newest incarnation (start order, chained by `nextSlot`). */
  private readonly byPid = new SlotIndex();
  /** The key `byGuid` and `byPid` are asked for (read by the `holds…` functions). */
  private queryHost = NONE;
  private queryGuid = '';
  private queryPid = NaN;
  private readonly holdsGuid = (slot: number) => this.hosts[slot] === this.queryHost && this.texts.equals(this.guids[slot]!, this.queryGuid);
  private readonly holdsPid = (slot: number) => this.hosts[slot] === this.queryHost && Object.is(this.pids[slot], this.queryPid);
  /** host\0g:guid or host\0p:pid of a parent not seen yet → children waiting for it (with arrival time). */
  private readonly orphans = new Map<string, { time: number; children: number[] }>();
  private readonly exits: ExitQueue;

  private readonly names = new Interner();
  private readonly texts = new TextStore();

  constructor(private readonly limits: Limits) {
    this.exits = new ExitQueue(limits.maxProcesses);
    this.grow(INITIAL_SLOTS);
  }

  /** The state as JSON data; `ProcessTree.restored` gives a tree that answers and evolves the same. */
  snapshot(): TreeSnapshot {
    const at = new Map<number, number>();
    const slots: SlotSnapshot[] = [];
    for (let slot = 0; slot < this.slotsUsed; slot++) {
      if (!(this.flags[slot]! & LIVE)) continue;
      at.set(slot, slots.length);
      slots.push({
        flags: this.flags[slot]!,
        host: this.names.text(this.hosts[slot]!),
        pid: toJsonNumber(this.pids[slot]!),
        start: toJsonNumber(this.starts[slot]!),
        exited: toJsonNumber(this.exited[slot]!),
        guid: this.text(this.guids[slot]!),
        image: this.name(this.images[slot]!),
        commandLine: this.text(this.commandLines[slot]!),
        cwd: this.name(this.cwds[slot]!),
        parent: NONE,
        parentPid: toJsonNumber(this.parentPids[slot]!),
        parentGuid: this.text(this.parentGuids[slot]!),
        parentImage: this.name(this.parentImages[slot]!),
        parentCommandLine: this.text(this.parentCommandLines[slot]!),
      });
    }
    for (const [slot, index] of at) slots[index]!.parent = at.get(this.parents[slot]!) ?? NONE;
    const lookup: number[] = [];
    for (let slot = this.oldestSlot; slot !== NONE; slot = this.newer[slot]!) lookup.push(at.get(slot)!);
    return {
      now: toJsonNumber(this.now),
      slots,
      lookup,
      orphans: [...this.orphans].map(([key, { time, children }]) => [key, toJsonNumber(time), children.map((c) => at.get(c)!)]),
      exits: [...this.exits.entries()].map((e) => [toJsonNumber(e.at), this.text(e.guid) ?? null, this.names.text(e.host), toJsonNumber(e.pid), toJsonNumber(e.start)]),
    };
  }

  /** A tree in the state a snapshot describes (slots numbered anew). */
  static restored(limits: Limits, snap: TreeSnapshot): ProcessTree {
    const tree = new ProcessTree(limits);
    tree.now = fromJsonNumber(snap.now);
    tree.sweepAt = Infinity; // nothing is linked yet: a sweep now would free everything
    const slots = snap.slots.map((s) => {
      const slot = tree.allocate(s.host);
      tree.flags[slot] = s.flags;
      tree.pids[slot] = fromJsonNumber(s.pid);
      tree.starts[slot] = fromJsonNumber(s.start);
      tree.exited[slot] = fromJsonNumber(s.exited);
      tree.images[slot] = tree.intern(s.image);
      tree.commandLines[slot] = tree.store(s.commandLine);
      tree.cwds[slot] = tree.intern(s.cwd);
      tree.parentPids[slot] = fromJsonNumber(s.parentPid);
      tree.parentGuids[slot] = tree.store(s.parentGuid);
      tree.parentImages[slot] = tree.intern(s.parentImage);
      tree.parentCommandLines[slot] = tree.store(s.parentCommandLine);
      if (s.guid !== undefined) {
        tree.guids[slot] = tree.texts.put(s.guid);
        tree.keyHashes[slot] = hashText(tree.hosts[slot]!, s.guid);
      }
      return slot;
    });
    snap.slots.forEach((s, i) => {
      tree.parents[slots[i]!] = s.parent === NONE ? NONE : slots[s.parent]!;
    });
    for (const index of snap.lookup) {
      const slot = slots[index]!;
      tree.appendToLookupOrder(slot);
      if (tree.guids[slot] === NONE) tree.indexPid(slot);
      else tree.byGuid.insert(slot, tree.keyHashes[slot]!);
    }
    for (const [key, time, children] of snap.orphans) tree.orphans.set(key, { time: fromJsonNumber(time), children: children.map((c) => slots[c]!) });
    for (const [at, guid, host, pid, start] of snap.exits) {
      tree.exits.push(fromJsonNumber(at), guid === null ? NONE : tree.texts.put(guid), tree.names.acquire(host), fromJsonNumber(pid), fromJsonNumber(start));
    }
    tree.sweepAt = tree.inUse + Math.max(MIN_SWEEP_GROWTH, tree.inUse >> 1);
    return tree;
  }

  /** Processes in lookup. */
  get size(): number {
    return this.indexed;
  }

  /** Slots held: in lookup, or kept as ancestors or waiting children of processes in lookup. */
  get slotsHeld(): number {
    return this.inUse;
  }

  /** The processes in lookup, oldest (first to evict) first. */
  *inLookup(): IterableIterator<Ancestor> {
    for (let slot = this.oldestSlot; slot !== NONE; slot = this.newer[slot]!) yield this.view(slot);
  }

  /** The process `id` on `host` at `time`: by guid, or the pid's incarnation alive then; NONE if unknown. */
  find(host: string, id: ProcessId, time: number | undefined): number {
    const hostId = this.names.lookup(host);
    if (hostId === undefined) return NONE;
    if (id.guid !== undefined) return this.findGuid(hostId, id.guid);
    if (id.pid === undefined) return NONE;
    const t = time ?? this.now;
    const skew = this.limits.pidSkewMs;
    for (let slot = this.findPid(hostId, id.pid); slot !== NONE; slot = this.nextSlot[slot]!) {
      if (this.starts[slot]! > t + skew) continue; // started after: a later incarnation
      const exited = this.exited[slot]!;
      if (exited + skew < t) return NONE; // that pid had exited by then (NaN: still running)
      return slot;
    }
    return NONE;
  }

  private findGuid(hostId: number, guid: string): number {
    this.queryHost = hostId;
    this.queryGuid = guid;
    return this.byGuid.find(hashText(hostId, guid), this.holdsGuid);
  }

  /** The newest incarnation of a pid. */
  private findPid(hostId: number, pid: number): number {
    this.queryHost = hostId;
    this.queryPid = pid;
    return this.byPid.find(hashNumber(hostId, pid), this.holdsPid);
  }

  /** The process of a slot as the enricher sees it (a new object per call, its analysis kept). */
  view(slot: number): Ancestor {
    const guid = this.guids[slot]!;
    const view: Ancestor = {
      image: this.name(this.images[slot]!),
      commandLine: this.text(this.commandLines[slot]!),
      cwd: this.name(this.cwds[slot]!),
      pid: optional(this.pids[slot]!),
      guid: this.text(guid),
      start: optional(this.starts[slot]!),
    };
    const analysis = this.analyses[slot];
    if (analysis) primeAnalysis(view, analysis);
    else this.analyses[slot] = analysisOf(view);
    return view;
  }

  /** The ancestors of a process, nearest first, up to maxDepth (the last may be only the parent its creation event named). */
  ancestors(slot: number, maxDepth: number): Ancestor[] {
    const ancestors: Ancestor[] = [];
    let cur = slot;
    while (ancestors.length < maxDepth) {
      const parent = this.parents[cur]!;
      if (parent !== NONE) {
        cur = parent;
        ancestors.push(this.view(cur));
        continue;
      }
      if (this.parentImages[cur] !== NONE || this.parentCommandLines[cur] !== NONE) ancestors.push(this.parentView(cur));
      break;
    }
    return ancestors;
  }

  /** The parent as the creation event named it (ParentImage/ParentCommandLine), when it is not in the tree. */
  private parentView(slot: number): Ancestor {
    const view: Ancestor = {
      image: this.name(this.parentImages[slot]!),
      commandLine: this.text(this.parentCommandLines[slot]!),
      pid: optional(this.parentPids[slot]!),
      guid: this.text(this.parentGuids[slot]!),
    };
    const analysis = this.parentAnalyses[slot];
    if (analysis) primeAnalysis(view, analysis);
    else this.parentAnalyses[slot] = analysisOf(view);
    return view;
  }

  start(rec: ProcessStart): void {
    const time = rec.time ?? this.now;
    this.advance(time);
    const { host, self } = rec;
    let slot: number;
    const hostId = this.names.lookup(host);
    if (self.guid !== undefined) {
      const old = hostId === undefined ? NONE : this.findGuid(hostId, self.guid);
      if (old !== NONE && this.flags[old]! & PLACEHOLDER) {
        // Seen as a parent first: complete that slot in place, so its children stay linked to it.
        // Whether it exited is kept (its end may come before its start).
        this.releaseProcess(old);
        this.setProcess(old, rec, time);
        this.flags[old] = LIVE | INDEXED;
        return this.link(old, rec, time);
      }
      if (old !== NONE) this.unindex(old);
      slot = this.allocate(host);
      this.indexGuid(slot, self.guid);
    } else if (self.pid !== undefined) {
      // The lookup key of a pid process is host, pid and start: a second start of that key replaces the first.
      const old = hostId === undefined ? NONE : this.incarnation(hostId, self.pid, time);
      if (old !== NONE) this.unindex(old);
      slot = this.allocate(host);
    } else return; // no identity: annotation falls back to the event's own parent fields
    this.setProcess(slot, rec, time);
    this.flags[slot] = LIVE | INDEXED;
    this.appendToLookupOrder(slot);
    if (self.guid === undefined) this.indexPid(slot);
    this.link(slot, rec, time);
  }

  private setProcess(slot: number, rec: ProcessStart, time: number): void {
    this.pids[slot] = rec.self.pid ?? NaN;
    this.starts[slot] = time;
    this.images[slot] = this.intern(rec.image);
    this.commandLines[slot] = this.store(rec.commandLine);
    this.cwds[slot] = this.intern(rec.cwd);
    this.parentPids[slot] = rec.parent.pid ?? NaN;
    this.parentGuids[slot] = this.store(rec.parent.guid);
    this.parentImages[slot] = this.intern(rec.parentImage);
    this.parentCommandLines[slot] = this.store(rec.parentCommandLine);
  }

  private link(slot: number, rec: ProcessStart, time: number): void {
    const { host } = rec;
    let parent = this.find(host, rec.parent, time);
    if (parent === NONE) parent = this.placeholderParent(rec);
    // The creation event's own parent fields are only needed while the parent is unknown.
    if (parent !== NONE) this.setParent(slot, parent);
    else this.parents[slot] = NONE;
    if (parent === NONE || rec.self.guid === undefined) this.waitForParent(slot, host, rec.parent, time);
    this.adoptWaitingChildren(slot, host, rec.self.guid);
    while (this.indexed > this.limits.maxProcesses) this.unindex(this.oldestSlot);
  }

  /**
   * A parent known by ProcessGuid but not seen starting (it started before the log did, or its
   * event comes later): the child's ParentImage/ParentCommandLine describe it, so its own events
   * (a connection of the npm process itself) get an image and command line, hence an install
   * context. With pid identity the parent's start time is unknown, so no placeholder is made.
   */
  private placeholderParent(rec: ProcessStart): number {
    const guid = rec.parent.guid;
    if (guid === undefined || (rec.parentImage === undefined && rec.parentCommandLine === undefined)) return NONE;
    const slot = this.allocate(rec.host);
    this.flags[slot] = LIVE | INDEXED | PLACEHOLDER;
    this.indexGuid(slot, guid);
    this.images[slot] = this.intern(rec.parentImage);
    this.commandLines[slot] = this.store(rec.parentCommandLine);
    this.appendToLookupOrder(slot);
    return slot;
  }

  end(rec: ProcessEnd): void {
    const time = rec.time ?? this.now;
    this.advance(time);
    const slot = this.find(rec.host, rec.self, time);
    if (slot === NONE) return;
    this.exited[slot] = time;
    if (this.exits.full) {
      if (this.exits.length === 0) return; // a cap of 0
      this.releaseExit(this.exits.shift());
    }
    const hostId = this.hosts[slot]!;
    this.names.retain(hostId);
    const guid = this.guids[slot]!;
    this.exits.push(time + this.limits.exitGraceMs, guid === NONE ? NONE : this.texts.put(this.texts.get(guid)), hostId, this.pids[slot]!, this.starts[slot]!);
  }

  private releaseExit(exit: Exit): void {
    this.names.release(exit.host);
    if (exit.guid !== NONE) this.texts.release(exit.guid);
  }

  /** Moves the clock and drops what has expired: exited processes past grace, stale orphans. */
  private advance(time: number): void {
    if (time <= this.now) return;
    this.now = time;
    const exits = this.exits;
    while (exits.length > 0 && exits.firstAt() < time) {
      const exit = exits.shift();
      // The process in lookup under that key now (it may have been started again since).
      const slot = exit.guid !== NONE ? this.findGuid(exit.host, this.texts.get(exit.guid)) : this.incarnation(exit.host, exit.pid, exit.start);
      if (slot !== NONE && !Number.isNaN(this.exited[slot]!)) this.unindex(slot);
      this.releaseExit(exit);
    }
    if (this.orphans.size === 0) return;
    for (const [key, entry] of this.orphans) {
      if (entry.time >= time - this.limits.reorderMs) break;
      this.orphans.delete(key);
    }
  }

  /** The pid process in lookup with exactly this start, NONE if none. */
  private incarnation(hostId: number, pid: number, start: number): number {
    for (let slot = this.findPid(hostId, pid); slot !== NONE; slot = this.nextSlot[slot]!) {
      if (Object.is(this.starts[slot], start) || this.starts[slot] === start) return slot;
    }
    return NONE;
  }

  /** Into its pid's incarnations, newest start first (among equal starts, the last added first). */
  private indexPid(slot: number): void {
    const hash = hashNumber(this.hosts[slot]!, this.pids[slot]!);
    this.keyHashes[slot] = hash;
    const start = this.starts[slot]!;
    const head = this.findPid(this.hosts[slot]!, this.pids[slot]!);
    let before = NONE;
    let at = head;
    while (at !== NONE && this.starts[at]! > start) {
      before = at;
      at = this.nextSlot[at]!;
    }
    this.nextSlot[slot] = at;
    if (before !== NONE) this.nextSlot[before] = slot;
    else if (head === NONE) this.byPid.insert(slot, hash);
    else this.byPid.replace(head, slot, hash);
  }

  private indexGuid(slot: number, guid: string): void {
    this.guids[slot] = this.texts.put(guid);
    const hash = hashText(this.hosts[slot]!, guid);
    this.keyHashes[slot] = hash;
    this.byGuid.insert(slot, hash);
  }

  /** Drops a process from lookup (it stays as long as something may still read it: see the sweep). */
  private unindex(slot: number): void {
    this.flags[slot]! &= ~INDEXED;
    this.indexed--;
    const before = this.older[slot]!;
    const after = this.newer[slot]!;
    if (before === NONE) this.oldestSlot = after;
    else this.newer[before] = after;
    if (after === NONE) this.newestSlot = before;
    else this.older[after] = before;
    const hash = this.keyHashes[slot]!;
    if (this.guids[slot] !== NONE) return this.byGuid.remove(slot, hash);
    const head = this.findPid(this.hosts[slot]!, this.pids[slot]!);
    let prev = NONE;
    let at = head;
    while (at !== NONE && at !== slot) {
      prev = at;
      at = this.nextSlot[at]!;
    }
    if (at === NONE) return;
    const next = this.nextSlot[slot]!;
    if (prev !== NONE) this.nextSlot[prev] = next;
    else if (next !== NONE) this.byPid.replace(slot, next, hash);
    else this.byPid.remove(slot, hash);
  }

  private appendToLookupOrder(slot: number): void {
    this.indexed++;
    this.older[slot] = this.newestSlot;
    this.newer[slot] = NONE;
    if (this.newestSlot === NONE) this.oldestSlot = slot;
    else this.newer[this.newestSlot] = slot;
    this.newestSlot = slot;
  }

  /**
   * Children may be logged before their parent (clock skew between event sources, buffered
   * writers): remember the child under its parent's id for `reorderMs`. With pid identity a
   * child also waits when a parent was found, since a later-logged, newer incarnation of that
   * pid may be the real one.
   */
  private waitForParent(slot: number, host: string, id: ProcessId, time: number): void {
    const key = id.guid !== undefined ? guidKey(host, id.guid) : id.pid !== undefined ? pidKey(host, id.pid) : undefined;
    if (key === undefined) return;
    const entry = this.orphans.get(key);
    if (entry) {
      entry.children.push(slot);
      entry.time = time;
      this.orphans.delete(key); // re-insert: the map stays in last-arrival order for expiry
      this.orphans.set(key, entry);
    } else this.orphans.set(key, { time, children: [slot] });
    while (this.orphans.size > this.limits.maxOrphans) this.orphans.delete(this.orphans.keys().next().value!);
  }

  private adoptWaitingChildren(slot: number, host: string, guid: string | undefined): void {
    if (guid !== undefined) {
      const key = guidKey(host, guid);
      const entry = this.orphans.get(key);
      if (!entry) return;
      for (const child of entry.children) this.setParent(child, slot);
      this.orphans.delete(key);
      return;
    }
    const pid = this.pids[slot]!;
    if (Number.isNaN(pid)) return;
    const entry = this.orphans.get(pidKey(host, pid));
    if (!entry) return;
    const skew = this.limits.pidSkewMs;
    const start = this.starts[slot]!;
    for (const child of entry.children) {
      const childStart = this.starts[child]!;
      if (child === slot || Number.isNaN(childStart) || Number.isNaN(start)) continue;
      // The newest incarnation that started before the child (within skew) is its parent.
      if (start > childStart + skew) continue;
      const current = this.parents[child]!;
      if (current !== NONE && this.starts[current]! >= start) continue;
      this.setParent(child, slot);
    }
  }

  /** Links a child to its parent; what its creation event said of the parent is no longer read. */
  private setParent(child: number, parent: number): void {
    this.parents[child] = parent;
    this.releaseParentFields(child);
  }

  private allocate(host: string): number {
    if (this.inUse >= this.sweepAt) this.sweep();
    let slot = this.freeSlot;
    if (slot !== NONE) this.freeSlot = this.nextSlot[slot]!;
    else {
      if (this.slotsUsed === this.slotCount) this.grow(this.slotCount * 2);
      slot = this.slotsUsed++;
    }
    this.inUse++;
    this.flags[slot] = LIVE;
    this.hosts[slot] = this.names.acquire(host);
    this.pids[slot] = NaN;
    this.starts[slot] = NaN;
    this.exited[slot] = NaN;
    this.images[slot] = NONE;
    this.commandLines[slot] = NONE;
    this.cwds[slot] = NONE;
    this.parents[slot] = NONE;
    this.parentPids[slot] = NaN;
    this.parentGuids[slot] = NONE;
    this.parentImages[slot] = NONE;
    this.parentCommandLines[slot] = NONE;
    this.nextSlot[slot] = NONE;
    this.guids[slot] = NONE;
    return slot;
  }

  /**
   * Frees the slots no event can read any more. Roots: processes in lookup (an event reads one
   * and up to maxDepth ancestors above it) and children waiting for a parent (the wait lists
   * name their slots). A slot more than maxDepth links above every process in lookup can never
   * become readable again: a link, when it is made, points to a process in lookup, so what lies
   * above a slot only ever gets farther from the processes in lookup.
   */
  private sweep(): void {
    const reach = this.reach;
    reach.fill(-1, 0, this.slotsUsed);
    const mark = (from: number, depth: number) => {
      for (let slot = from, left = depth; slot !== NONE && left > reach[slot]!; slot = this.parents[slot]!, left--) reach[slot] = left;
    };
    for (let slot = this.oldestSlot; slot !== NONE; slot = this.newer[slot]!) mark(slot, this.limits.maxDepth);
    for (const { children } of this.orphans.values()) for (const child of children) mark(child, 0);
    for (let slot = 0; slot < this.slotsUsed; slot++) {
      if (!(this.flags[slot]! & LIVE)) continue;
      if (reach[slot]! < 0) this.free(slot);
    }
    // A kept slot whose parent was freed is never read past (its reach is 0): cut the link, so a
    // reused slot is never taken for its parent.
    for (let slot = 0; slot < this.slotsUsed; slot++) {
      const parent = this.parents[slot]!;
      if (this.flags[slot]! & LIVE && parent !== NONE && !(this.flags[parent]! & LIVE)) this.parents[slot] = NONE;
    }
    this.sweepAt = this.inUse + Math.max(MIN_SWEEP_GROWTH, this.inUse >> 1);
  }

  private free(slot: number): void {
    this.releaseProcess(slot);
    this.names.release(this.hosts[slot]!);
    if (this.guids[slot] !== NONE) this.texts.release(this.guids[slot]!);
    this.guids[slot] = NONE;
    this.flags[slot] = 0;
    this.nextSlot[slot] = this.freeSlot;
    this.freeSlot = slot;
    this.inUse--;
  }

  /** Gives back the strings of a slot's process (all but its host and key). */
  private releaseProcess(slot: number): void {
    for (const ids of [this.images, this.cwds]) {
      if (ids[slot] !== NONE) this.names.release(ids[slot]!);
      ids[slot] = NONE;
    }
    if (this.commandLines[slot] !== NONE) this.texts.release(this.commandLines[slot]!);
    this.commandLines[slot] = NONE;
    this.analyses[slot] = undefined;
    this.releaseParentFields(slot);
  }

  private releaseParentFields(slot: number): void {
    if (this.parentImages[slot] !== NONE) this.names.release(this.parentImages[slot]!);
    for (const handles of [this.parentGuids, this.parentCommandLines]) {
      if (handles[slot] !== NONE) this.texts.release(handles[slot]!);
      handles[slot] = NONE;
    }
    this.parentImages[slot] = NONE;
    this.parentPids[slot] = NaN;
    this.parentAnalyses[slot] = undefined;
  }

  private grow(slots: number): void {
    this.flags = grown(this.flags, slots);
    for (const name of ['hosts', 'images', 'commandLines', 'cwds', 'parents', 'parentGuids', 'parentImages', 'parentCommandLines', 'older', 'newer', 'nextSlot', 'guids', 'keyHashes', 'reach'] as const) {
      this[name] = grown(this[name], slots);
    }
    for (const name of ['pids', 'starts', 'exited', 'parentPids'] as const) this[name] = grown(this[name], slots);
    this.slotCount = slots;
  }

  private intern(text: string | undefined): number {
    return text === undefined ? NONE : this.names.acquire(text);
  }

  private store(text: string | undefined): number {
    return text === undefined ? NONE : this.texts.put(text);
  }

  private name(id: number): string | undefined {
    return id === NONE ? undefined : this.names.text(id);
  }

  private text(handle: number): string | undefined {
    return handle === NONE ? undefined : this.texts.get(handle);
  }
}
