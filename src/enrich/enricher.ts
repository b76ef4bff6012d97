/**
 * Adds context fields to every event before the rules see it, so plain Sigma rules can ask
 * "is this inside an npm install?" or "did any ancestor run cmd.exe?":
 *
 * - `AncestorImages`, `AncestorCommandLines`: the process's ancestors, nearest first (lists).
 * - `InstallPackageManager`, `InstallPackage`, `InstallPhase`: when the process (or an
 *   ancestor) is a package-manager install (install-context.ts).
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
import { DnsMap, emptyDns } from './dns-map.js';
import { installContext, type ProcessInfo } from './install-context.js';
import { LIMITS, type Limits } from './limits.js';
import { emptyTree, ProcessTree, type ProcNode } from './process-tree.js';
import { normalizeIp, parentIdOf, processIdOf, stateRecord, str, type StateRecord } from './records.js';
import { DEFAULT_REGISTRIES, RegistryAllowlist } from './registry-allowlist.js';

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
  private readonly tree: ProcessTree;
  private readonly dns: DnsMap;
  private readonly allowlist: RegistryAllowlist;
  private readonly limits: Limits;

  constructor(options: EnrichOptions = {}) {
    this.limits = { ...LIMITS, ...options.limits };
    this.tree = new ProcessTree(emptyTree(), this.limits);
    this.dns = new DnsMap(emptyDns(), this.limits);
    this.allowlist = new RegistryAllowlist(options.allowedRegistries ?? DEFAULT_REGISTRIES);
  }

  /** Updates the state from an event and adds its context fields (the inline path). */
  enrich(event: NormalizedEvent): void {
    const rec = stateRecord(event);
    if (rec) this.apply(rec);
    this.annotate(event);
  }

  apply(rec: StateRecord): void {
    if (rec.kind === 'start') this.tree.start(rec);
    else if (rec.kind === 'end') this.tree.end(rec);
    else this.dns.add(rec);
  }

  /** The process of the event (the new process for a creation), then its ancestors: nearest first. */
  lineage(event: NormalizedEvent): { self?: Ancestor; ancestors: Ancestor[] } {
    const f = event.fields;
    const host = event.host ?? '';
    const node = this.tree.find(host, processIdOf(f), event.time);
    const creation = event.category === 'process_creation';
    const self: Ancestor | undefined = node
      ? info(node)
      : creation ? { image: str(f.Image), commandLine: str(f.CommandLine), cwd: str(f.CurrentDirectory), start: event.time } : undefined;
    const ancestors: Ancestor[] = [];
    // A creation whose own id is unusable can still hang below a known parent.
    const parentOnly = !node && creation ? this.tree.find(host, parentIdOf(f), event.time) : undefined;
    if (parentOnly) ancestors.push(info(parentOnly));
    let cur = node ?? parentOnly;
    while (cur && ancestors.length < this.limits.maxDepth) {
      if (cur.parent) {
        cur = cur.parent;
        ancestors.push(info(cur));
        continue;
      }
      if (cur.parentImage !== undefined || cur.parentCommandLine !== undefined) ancestors.push(parentInfo(cur));
      break;
    }
    if (!cur && creation && (f.ParentImage !== undefined || f.ParentCommandLine !== undefined)) {
      ancestors.push({ image: str(f.ParentImage), commandLine: str(f.ParentCommandLine) });
    }
    return { self, ancestors };
  }

  /** Adds the context fields. Reads the state only. */
  annotate(event: NormalizedEvent): void {
    const f = event.fields;
    const { self, ancestors } = this.lineage(event);
    if (ancestors.length > 0) {
      f.AncestorImages = ancestors.map((a) => a.image ?? '');
      f.AncestorCommandLines = ancestors.map((a) => a.commandLine ?? '');
    }
    if (self || ancestors.length > 0) {
      const ctx = installContext(self ? [self, ...ancestors] : ancestors);
      if (ctx) {
        f.InstallPackageManager = ctx.manager;
        if (ctx.package !== undefined) f.InstallPackage = ctx.package;
        if (ctx.phase !== undefined) f.InstallPhase = ctx.phase;
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

/** One object per process (cached on the node), so install-context analysis runs once per process. */
function info(n: ProcNode): Ancestor {
  return (n.view ??= { image: n.image, commandLine: n.commandLine, cwd: n.cwd, pid: n.pid, guid: n.guid, start: n.start });
}

/** The parent as the creation event named it (ParentImage/ParentCommandLine), when it is not in the tree. */
function parentInfo(n: ProcNode): Ancestor {
  return (n.parentView ??= { image: n.parentImage, commandLine: n.parentCommandLine, pid: n.parentId.pid, guid: n.parentId.guid });
}

