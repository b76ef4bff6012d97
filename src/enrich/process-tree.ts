/**
 * Process trees of every host.
 *
 * Identity: `ProcessGuid` (Sysmon on Windows and Linux) where present; otherwise pid plus start
 * time, because pids are reused (auditd, 4688, the sensor). A child links to its parent object,
 * so ancestry survives the parent's eviction from the lookup maps.
 */
import type { Ancestor } from './enricher.js';
import type { Limits } from './limits.js';
import type { ProcessEnd, ProcessId, ProcessStart } from './records.js';
import { restoreTree, snapshotTree, type TreeSnapshot } from './snapshot.js';

export interface ProcNode {
  host: string;
  key: string;
  guid?: string;
  pid?: number;
  /** Start time (the creation event's time), epoch ms. */
  start?: number;
  image?: string;
  commandLine?: string;
  cwd?: string;
  parent?: ProcNode;
  parentId: ProcessId;
  /** The creation event's own ParentImage/ParentCommandLine: one hop when the parent is unknown. */
  parentImage?: string;
  parentCommandLine?: string;
  exited?: number;
  /** Known only as the parent named by a child's creation event (its own creation not seen yet). */
  placeholder?: boolean;
  /** Caches of the enricher's views of this process and of its named parent (derived, never state). */
  view?: Ancestor;
  parentView?: Ancestor;
}

export interface TreeData {
  /** Insertion (≈ start) order: the first entry is the first to evict. */
  nodes: Map<string, ProcNode>;
  /** host\0pid → incarnations, oldest first. */
  byPid: Map<string, ProcNode[]>;
  /** host\0guid or host\0pid of a parent not seen yet → children waiting for it (with arrival time). */
  orphans: Map<string, { time: number; children: ProcNode[] }>;
  /** Exited processes to drop from lookup after the grace period, in exit order. */
  exits: Array<{ key: string; at: number }>;
  /** Latest event time applied (state clock). */
  now: number;
}

export function emptyTree(): TreeData {
  return { nodes: new Map(), byPid: new Map(), orphans: new Map(), exits: [], now: -Infinity };
}

const guidKey = (host: string, guid: string) => `${host}\0g:${guid}`;
const pidKey = (host: string, pid: number) => `${host}\0p:${pid}`;

export class ProcessTree {
  constructor(readonly data: TreeData, private readonly limits: Limits) {}

  /**
   * Nodes in insertion order from `head` on, for evicting the oldest process: entries no longer
   * in `nodes` (evicted, exited, or inserted again later) are skipped as they come up.
   * `nodes.values().next()` would skip, on every eviction, all the deleted entries V8 keeps at
   * the front of the table until it rehashes: at the 100,000-process cap each process start
   * cost up to 100,000 steps (docs/performance.md#process-tree-eviction-queue). When exits
   * rather than the cap remove processes, nothing is evicted
   * and dead entries pile up: the queue drops them once it holds twice the cap (amortized
   * constant time, and memory bounded by the cap as the tree's is).
   */
  private order: ProcNode[] = [];
  private head = 0;

  private inserted(node: ProcNode): void {
    this.order.push(node);
    if (this.order.length - this.head > 2 * this.limits.maxProcesses + 1024) this.dropDead();
  }

  private oldest(): ProcNode {
    const nodes = this.data.nodes;
    for (;;) {
      const node = this.order[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.order.length) this.dropDead();
      if (nodes.get(node.key) === node) return node;
    }
  }

  /** Keeps only the queued nodes still in `nodes`, in order. */
  private dropDead(): void {
    const nodes = this.data.nodes;
    const live: ProcNode[] = [];
    for (let i = this.head; i < this.order.length; i++) {
      const node = this.order[i]!;
      if (nodes.get(node.key) === node) live.push(node);
    }
    this.order = live;
    this.head = 0;
  }

  snapshot(): TreeSnapshot {
    return snapshotTree(this.data);
  }

  /** Replaces the state with a snapshot's; the eviction queue is the lookup map's order. */
  restore(snap: TreeSnapshot): void {
    restoreTree(this.data, snap);
    this.order = [...this.data.nodes.values()];
    this.head = 0;
  }

  /** The process `id` on `host` at `time`: by guid, or the pid's incarnation alive then. */
  find(host: string, id: ProcessId, time: number | undefined): ProcNode | undefined {
    if (id.guid !== undefined) return this.data.nodes.get(guidKey(host, id.guid));
    if (id.pid === undefined) return undefined;
    const list = this.data.byPid.get(pidKey(host, id.pid));
    if (!list) return undefined;
    const t = time ?? this.data.now;
    const skew = this.limits.pidSkewMs;
    for (let i = list.length - 1; i >= 0; i -= 1) {
      const n = list[i]!;
      if (n.start !== undefined && n.start > t + skew) continue; // started after: a later incarnation
      if (n.exited !== undefined && n.exited + skew < t) return undefined; // that pid had exited by then
      return n;
    }
    return undefined;
  }

  start(rec: ProcessStart): ProcNode | undefined {
    const d = this.data;
    const time = rec.time ?? d.now;
    this.advance(time);
    const { host, self } = rec;
    let key: string;
    if (self.guid !== undefined) key = guidKey(host, self.guid);
    else if (self.pid !== undefined) key = `${pidKey(host, self.pid)}@${time}`;
    else return undefined; // no identity: annotation falls back to the event's own parent fields
    const node: ProcNode = {
      host, key, guid: self.guid, pid: self.pid, start: time,
      image: rec.image, commandLine: rec.commandLine, cwd: rec.cwd,
      parentId: rec.parent, parentImage: rec.parentImage, parentCommandLine: rec.parentCommandLine,
    };
    const old = d.nodes.get(key);
    if (old?.placeholder) {
      // Seen as a parent first: complete that node in place, so its children stay linked to it.
      Object.assign(old, node, { placeholder: undefined, view: undefined, parentView: undefined });
      return this.link(old, rec, time);
    }
    if (old) this.unindex(old);
    d.nodes.set(key, node);
    this.inserted(node);
    if (self.guid === undefined) this.indexPid(node);
    return this.link(node, rec, time);
  }

  private link(node: ProcNode, rec: ProcessStart, time: number): ProcNode {
    const d = this.data;
    const { host } = rec;
    node.parent = this.find(host, rec.parent, time) ?? this.placeholderParent(rec);
    // The creation event's own parent fields are only needed while the parent is unknown.
    if (node.parent) node.parentImage = node.parentCommandLine = undefined;
    if (!node.parent || node.guid === undefined) this.waitForParent(node, time);
    this.adoptWaitingChildren(node);
    while (d.nodes.size > this.limits.maxProcesses) this.unindex(this.oldest());
    return node;
  }

  /**
   * A parent known by ProcessGuid but not seen starting (it started before the log did, or its
   * event comes later): the child's ParentImage/ParentCommandLine describe it, so its own events
   * (a connection of the npm process itself) get an image and command line, hence an install
   * context. With pid identity the parent's start time is unknown, so no placeholder is made.
   */
  private placeholderParent(rec: ProcessStart): ProcNode | undefined {
    const guid = rec.parent.guid;
    if (guid === undefined || (rec.parentImage === undefined && rec.parentCommandLine === undefined)) return undefined;
    const key = guidKey(rec.host, guid);
    const node: ProcNode = { host: rec.host, key, guid, image: rec.parentImage, commandLine: rec.parentCommandLine, parentId: {}, placeholder: true };
    this.data.nodes.set(key, node);
    this.inserted(node);
    return node;
  }

  end(rec: ProcessEnd): void {
    const time = rec.time ?? this.data.now;
    this.advance(time);
    const node = this.find(rec.host, rec.self, time);
    if (!node) return;
    node.exited = time;
    const exits = this.data.exits;
    exits.push({ key: node.key, at: time + this.limits.exitGraceMs });
    if (exits.length > this.limits.maxProcesses) exits.splice(0, exits.length - this.limits.maxProcesses);
  }

  /** Moves the clock and drops what has expired: exited processes past grace, stale orphans. */
  private advance(time: number): void {
    const d = this.data;
    if (time <= d.now) return;
    d.now = time;
    let drop = 0;
    while (drop < d.exits.length && d.exits[drop]!.at < time) {
      const node = d.nodes.get(d.exits[drop]!.key);
      if (node?.exited !== undefined) this.unindex(node);
      drop += 1;
    }
    if (drop > 0) d.exits.splice(0, drop);
    if (d.orphans.size === 0) return;
    for (const [key, entry] of d.orphans) {
      if (entry.time >= time - this.limits.reorderMs) break;
      d.orphans.delete(key);
    }
  }

  private indexPid(node: ProcNode): void {
    const k = pidKey(node.host, node.pid!);
    const list = this.data.byPid.get(k);
    if (!list) return void this.data.byPid.set(k, [node]);
    let i = list.length;
    while (i > 0 && (list[i - 1]!.start ?? 0) > (node.start ?? 0)) i -= 1; // out of order: keep start order
    list.splice(i, 0, node);
  }

  private unindex(node: ProcNode): void {
    const d = this.data;
    if (d.nodes.get(node.key) === node) d.nodes.delete(node.key);
    if (node.guid !== undefined || node.pid === undefined) return;
    const k = pidKey(node.host, node.pid);
    const list = d.byPid.get(k);
    if (!list) return;
    const i = list.indexOf(node);
    if (i !== -1) list.splice(i, 1);
    if (list.length === 0) d.byPid.delete(k);
  }

  /**
   * Children may be logged before their parent (clock skew between event sources, buffered
   * writers): remember the child under its parent's id for `reorderMs`. With pid identity a
   * child also waits when a parent was found, since a later-logged, newer incarnation of that
   * pid may be the real one.
   */
  private waitForParent(node: ProcNode, time: number): void {
    const id = node.parentId;
    const key = id.guid !== undefined ? guidKey(node.host, id.guid) : id.pid !== undefined ? pidKey(node.host, id.pid) : undefined;
    if (key === undefined) return;
    const d = this.data;
    const entry = d.orphans.get(key);
    if (entry) {
      entry.children.push(node);
      entry.time = time;
      d.orphans.delete(key); // re-insert: the map stays in last-arrival order for expiry
      d.orphans.set(key, entry);
    } else d.orphans.set(key, { time, children: [node] });
    while (d.orphans.size > this.limits.maxOrphans) d.orphans.delete(d.orphans.keys().next().value!);
  }

  private adoptWaitingChildren(node: ProcNode): void {
    const d = this.data;
    if (node.guid !== undefined) {
      const k = guidKey(node.host, node.guid);
      const entry = d.orphans.get(k);
      if (!entry) return;
      for (const child of entry.children) child.parent = node;
      d.orphans.delete(k);
      return;
    }
    if (node.pid === undefined) return;
    const entry = d.orphans.get(pidKey(node.host, node.pid));
    if (!entry) return;
    const skew = this.limits.pidSkewMs;
    for (const child of entry.children) {
      if (child === node || child.start === undefined || node.start === undefined) continue;
      // The newest incarnation that started before the child (within skew) is its parent.
      if (node.start > child.start + skew) continue;
      if (child.parent?.start !== undefined && child.parent.start >= node.start) continue;
      child.parent = node;
    }
  }
}
