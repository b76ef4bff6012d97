/**
 * Adds context fields to every event before the rules see it, so plain Sigma rules can ask
 * "is this inside an npm install?" or "did any ancestor run cmd.exe?":
 *
 * - `AncestorImages`, `AncestorCommandLines`: the process's ancestors, nearest first (lists).
 * - `InstallPackageManager`, `InstallPackage`, `InstallPhase`, `InstallRole`: when the process
 *   (or an ancestor) is a package-manager install (install-context.ts); `InstallId` names that
 *   install run, for correlations grouped by install subtree.
 * - `DestinationHostname` from DNS answers when a network event lacks it, marked
 *   `DestinationHostnameSource: dns`.
 * - `DestinationIsAllowedRegistry`: the destination host name is an allowed registry or a
 *   subdomain of one (registry-allowlist.ts).
 *
 * State is a fold over `stateRecord`s in input order; `annotate` only reads it, so a worker
 * thread can catch up with the tasks other workers ran from their records alone
 * (src/parallel/state-relay.ts).
 */
import type { NormalizedEvent } from '../events/event.js';
import { DnsMap, type DnsSnapshot } from './dns-map.js';
import { installContext, installRootIndex, type ProcessInfo } from './install-context.js';
import { LIMITS, type Limits } from './limits.js';
import { NONE, ProcessTree, type TreeSnapshot } from './process-tree.js';
import { InstallActivity, isoTime, type ChainEntry, type InvestigationContext, type RelatedActivity } from './investigation.js';
import { normalizeIp, parentIdOf, processIdOf, stateRecord, str, type Activity, type StateRecord } from './records.js';
import { DEFAULT_REGISTRIES, RegistryAllowlist } from './registry-allowlist.js';

/** The enrichment state as JSON data, so a streaming worker can checkpoint a partition and another resume it (src/stream/checkpoint.ts). */
export interface EnricherSnapshot {
  tree: TreeSnapshot;
  dns: DnsSnapshot;
  activity: Array<[string, RelatedActivity[]]>;
}

export interface EnrichOptions {
  /** Registry host names (exact or parent domain); default DEFAULT_REGISTRIES. */
  allowedRegistries?: readonly string[];
  limits?: Partial<Limits>;
}

/** One ancestor as investigation context needs it. */
export interface Ancestor extends ProcessInfo {
  pid?: number;
  guid?: string;
  start?: number;
}

export class Enricher {
  private tree: ProcessTree;
  private dns: DnsMap;
  private readonly allowlist: RegistryAllowlist;
  private readonly limits: Limits;
  private readonly activity = new InstallActivity();

  constructor(options: EnrichOptions = {}) {
    this.limits = { ...LIMITS, ...options.limits };
    this.tree = new ProcessTree(this.limits);
    this.dns = new DnsMap(this.limits);
    this.allowlist = new RegistryAllowlist(options.allowedRegistries ?? DEFAULT_REGISTRIES);
  }

  /** The whole state as plain JSON data. */
  snapshot(): EnricherSnapshot {
    return { tree: this.tree.snapshot(), dns: this.dns.snapshot(), activity: this.activity.snapshot() };
  }

  /** Replaces the state with a snapshot's: the same annotations follow as after the events it reflects. */
  restore(snap: EnricherSnapshot): void {
    this.tree = ProcessTree.restored(this.limits, snap.tree);
    this.dns = DnsMap.restored(this.limits, snap.dns);
    this.activity.restore(snap.activity);
  }

  /** Updates the state from an event and adds its context fields (the inline path). */
  enrich(event: NormalizedEvent): void {
    const rec = stateRecord(event);
    if (rec?.kind !== 'activity') {
      if (rec) this.apply(rec);
      return this.annotate(event);
    }
    // A connection or a write: its lineage is what both its activity record and its context fields
    // read, found once (it is the record's: same host, process and time).
    const lineage = this.lineage(event);
    if (lineage.self) this.recordActivity(rec, [lineage.self, ...lineage.ancestors]);
    this.annotate(event, lineage);
  }

  apply(rec: StateRecord): void {
    if (rec.kind === 'start') this.tree.start(rec);
    else if (rec.kind === 'end') this.tree.end(rec);
    else if (rec.kind === 'dns') this.dns.add(rec);
    else this.recordActivity(rec);
  }

  /**
   * A connection or file write inside an install subtree joins that install's recent activity.
   * `chain`: its process and ancestors, nearest first, when the caller has them.
   */
  private recordActivity(rec: Activity, chain = this.chainOf(rec)): void {
    if (chain.length === 0) return;
    const root = installRoot(chain);
    if (!root) return;
    let target = rec.target;
    // Name the destination from DNS when the event only had an IP, as annotate() does.
    if (rec.destinationIp !== undefined && target?.startsWith(rec.destinationIp)) {
      const name = this.dns.lookup(rec.host, rec.destinationIp, rec.time);
      if (name !== undefined) target = name + target.slice(rec.destinationIp.length);
    }
    this.activity.add(installKey(rec.host, root), rec, target);
  }

  /** Ancestry chain and related install activity for an alert on this event (reads the state only). */
  investigation(event: NormalizedEvent): InvestigationContext {
    const { self, ancestors } = this.lineage(event);
    const chain = self ? [self, ...ancestors] : ancestors;
    const root = installRoot(chain);
    return {
      ancestry: chain.map(entry),
      ...(root ? { install: entry(root) } : {}),
      related: root ? this.activity.recent(installKey(event.host ?? '', root)) : [],
    };
  }

  /** The process of the event (the new process for a creation), then its ancestors: nearest first. */
  lineage(event: NormalizedEvent): { self?: Ancestor; ancestors: Ancestor[] } {
    const f = event.fields;
    const host = event.host ?? '';
    const node = this.tree.find(host, processIdOf(f), event.time);
    const creation = event.category === 'process_creation';
    const self: Ancestor | undefined = node !== NONE
      ? this.tree.view(node)
      : creation ? { image: str(f.Image), commandLine: str(f.CommandLine), cwd: str(f.CurrentDirectory), start: event.time } : undefined;
    // A creation whose own id is unusable can still hang below a known parent.
    const parentOnly = node === NONE && creation ? this.tree.find(host, parentIdOf(f), event.time) : NONE;
    const ancestors: Ancestor[] =
      parentOnly !== NONE ? [this.tree.view(parentOnly), ...this.ancestorsOf(parentOnly)] : node !== NONE ? this.ancestorsOf(node) : [];
    if (node === NONE && parentOnly === NONE && creation && (f.ParentImage !== undefined || f.ParentCommandLine !== undefined)) {
      ancestors.push({ image: str(f.ParentImage), commandLine: str(f.ParentCommandLine) });
    }
    return { self, ancestors };
  }

  private chainOf(rec: Activity): Ancestor[] {
    const node = this.tree.find(rec.host, rec.self, rec.time);
    return node === NONE ? [] : [this.tree.view(node), ...this.ancestorsOf(node)];
  }

  private ancestorsOf(node: number): Ancestor[] {
    return this.tree.ancestors(node, this.limits.maxDepth);
  }

  /** Adds the context fields. Reads the state only. */
  annotate(event: NormalizedEvent, lineage = this.lineage(event)): void {
    const f = event.fields;
    const { self, ancestors } = lineage;
    if (ancestors.length > 0) {
      f.AncestorImages = ancestors.map((a) => a.image ?? '');
      f.AncestorCommandLines = ancestors.map((a) => a.commandLine ?? '');
    }
    if (self || ancestors.length > 0) {
      const chain = self ? [self, ...ancestors] : ancestors;
      const ctx = installContext(chain);
      if (ctx) {
        f.InstallPackageManager = ctx.manager;
        if (ctx.package !== undefined) f.InstallPackage = ctx.package;
        if (ctx.phase !== undefined) f.InstallPhase = ctx.phase;
        f.InstallRole = ctx.role;
        f.InstallId = installId(chain[installRootIndex(chain)]!);
      }
    }
    let hostname = str(f.DestinationHostname);
    if (hostname === '-') hostname = undefined;
    const ip = typeof f.DestinationIp === 'string' ? normalizeIp(f.DestinationIp) : undefined;
    if (hostname === undefined && ip !== undefined) {
      hostname = this.dns.lookup(event.host ?? '', ip, event.time);
      if (hostname !== undefined) {
        f.DestinationHostname = hostname;
        f.DestinationHostnameSource = 'dns';
      }
    }
    if (hostname !== undefined) f.DestinationIsAllowedRegistry = this.allowlist.allows(hostname);
  }
}

/**
 * The package-manager process of an install chain (nearest first): the farthest entry whose
 * own chain still has an install context — the process that started the install.
 */
function installRoot(chain: Ancestor[]): Ancestor | undefined {
  const at = installRootIndex(chain);
  return at === -1 ? undefined : chain[at];
}

/**
 * `InstallId`: names one install run (its root process) so that correlations can group the
 * events of one install subtree: the Sysmon ProcessGuid where there is one, else pid and start.
 */
function installId(root: Ancestor): string {
  if (root.guid !== undefined) return root.guid;
  const start = isoTime(root.start);
  return `${root.image ?? ''}[${root.pid ?? ''}]${start !== undefined ? `@${start}` : ''}`;
}

function installKey(host: string, root: Ancestor): string {
  return `${host}\u0000${root.guid ?? root.pid ?? root.image ?? ''}\u0000${root.start ?? ''}`;
}

function entry(a: Ancestor): ChainEntry {
  const out: ChainEntry = {};
  if (a.image !== undefined) out.image = a.image;
  if (a.commandLine !== undefined) out.commandLine = a.commandLine;
  if (a.pid !== undefined) out.pid = a.pid;
  const time = isoTime(a.start);
  if (time !== undefined) out.time = time;
  return out;
}
