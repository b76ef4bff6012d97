/**
 * The enrichment state as plain JSON data, so that a streaming worker can checkpoint it and
 * the worker that takes over its partition can resume with the same process trees, DNS names
 * and install activity (src/stream/checkpoint.ts). The process tree is a graph (a child links
 * to its parent object, which may have left the lookup maps): nodes are written once each, with
 * their parent as an index into the node list.
 */
import type { DnsData } from './dns-map.js';
import type { RelatedActivity } from './investigation.js';
import type { ProcNode, TreeData } from './process-tree.js';
import type { ProcessId } from './records.js';

export interface NodeSnapshot {
  host: string;
  key: string;
  guid?: string;
  pid?: number;
  start?: number;
  image?: string;
  commandLine?: string;
  cwd?: string;
  /** Index of the parent in `TreeSnapshot.nodes`. */
  parent?: number;
  parentId: ProcessId;
  parentImage?: string;
  parentCommandLine?: string;
  exited?: number;
  placeholder?: boolean;
}

export interface TreeSnapshot {
  /** Every node reachable from the maps, parents before nothing in particular: indexes are ids. */
  nodes: NodeSnapshot[];
  /** The lookup map, in its insertion (eviction) order. */
  live: number[];
  byPid: Array<[string, number[]]>;
  orphans: Array<[string, number, number[]]>;
  exits: Array<[string, number]>;
  /** The state clock; null for "no event yet" (-Infinity, which JSON cannot write). */
  now: number | null;
}

export interface DnsSnapshot {
  entries: Array<[string, string, number]>;
  now: number | null;
}

export interface EnricherSnapshot {
  tree: TreeSnapshot;
  dns: DnsSnapshot;
  activity: Array<[string, RelatedActivity[]]>;
}

const clock = (now: number): number | null => (Number.isFinite(now) ? now : null);
const unclock = (now: number | null): number => now ?? -Infinity;

export function snapshotTree(data: TreeData): TreeSnapshot {
  const ids = new Map<ProcNode, number>();
  const nodes: NodeSnapshot[] = [];
  const idOf = (start: ProcNode): number => {
    // Iterative: an ancestry chain can be long.
    const pending: ProcNode[] = [];
    for (let n: ProcNode | undefined = start; n && !ids.has(n); n = n.parent) pending.push(n);
    for (const n of pending) {
      ids.set(n, nodes.length);
      nodes.push(undefined as unknown as NodeSnapshot);
    }
    for (const n of pending) nodes[ids.get(n)!] = nodeSnapshot(n, n.parent && ids.get(n.parent));
    return ids.get(start)!;
  };
  return {
    live: [...data.nodes.values()].map(idOf),
    byPid: [...data.byPid].map(([key, list]) => [key, list.map(idOf)]),
    orphans: [...data.orphans].map(([key, entry]) => [key, entry.time, entry.children.map(idOf)]),
    exits: data.exits.map((e) => [e.key, e.at]),
    now: clock(data.now),
    nodes,
  };
}

function nodeSnapshot(n: ProcNode, parent: number | undefined): NodeSnapshot {
  const { view: _view, parentView: _parentView, parent: _parent, ...plain } = n;
  return parent === undefined ? plain : { ...plain, parent };
}

/** Fills `data` (emptied first) from a snapshot. */
export function restoreTree(data: TreeData, snap: TreeSnapshot): void {
  const nodes: ProcNode[] = snap.nodes.map(({ parent: _parent, ...plain }) => ({ ...plain }));
  snap.nodes.forEach((s, i) => {
    if (s.parent !== undefined) nodes[i]!.parent = nodes[s.parent];
  });
  data.nodes.clear();
  for (const id of snap.live) data.nodes.set(nodes[id]!.key, nodes[id]!);
  data.byPid.clear();
  for (const [key, list] of snap.byPid) data.byPid.set(key, list.map((id) => nodes[id]!));
  data.orphans.clear();
  for (const [key, time, children] of snap.orphans) data.orphans.set(key, { time, children: children.map((id) => nodes[id]!) });
  data.exits = snap.exits.map(([key, at]) => ({ key, at }));
  data.now = unclock(snap.now);
}

export function snapshotDns(data: DnsData): DnsSnapshot {
  return { entries: [...data.entries].map(([key, e]) => [key, e.name, e.time]), now: clock(data.now) };
}

export function restoreDns(data: DnsData, snap: DnsSnapshot): void {
  data.entries.clear();
  for (const [key, name, time] of snap.entries) data.entries.set(key, { name, time });
  data.now = unclock(snap.now);
}
