import type { NormalizedEvent } from '../../events/event.js';
import type { BadRecord } from '../../sources/reader.js';
import { AuditEventBuilder, type AuditIdentity } from '../audit/event-builder.js';
import type { HostResolver } from '../resolver.js';
import { InstallTrees, type InstallTree } from './install-trees.js';
import { packageManagerOf } from './package-managers.js';

/**
 * The watch sensor's records → events of package managers' trees only. Every process of the
 * machine is audited (the kernel cannot filter by ancestry); the builder follows the whole
 * process tree, and InstallTrees keeps the events whose process belongs to a package manager's
 * tree. Everything else is counted and dropped: the calls of other processes before their event
 * is built (`builder.unfollowed`), but their execs, which may start a tree, after. No I/O: tests
 * replay recorded or generated records through it.
 */
export class WatchProcessor {
  readonly trees = new InstallTrees();
  readonly builder: AuditEventBuilder;
  /** Events built, then dropped: their process is in no package manager's tree (execs, mostly). */
  outside = 0;

  constructor(key: string, identity: AuditIdentity, resolver: HostResolver, onBad: (bad: BadRecord) => void) {
    const trees = this.trees;
    const admit = (event: NormalizedEvent, ppid: number, argv: readonly string[] | undefined): boolean => {
      const pid = Number(event.fields.ProcessId);
      const tree = event.category === 'process_creation'
        ? trees.started(pid, ppid, packageManagerOf(String(event.fields.Image ?? ''), argv ?? []))
        : trees.of(pid);
      if (!tree) this.outside += 1;
      return tree !== undefined;
    };
    this.builder = new AuditEventBuilder(key, identity, resolver, onBad, {
      cloned: (parent, child) => trees.cloned(parent, child),
      exited: (pid) => trees.exited(pid),
      // The parent too: a child whose fork record has not come yet joins its parent's tree.
      follows: (pid, ppid) => trees.of(pid) !== undefined || trees.of(ppid) !== undefined,
      admit,
    });
  }

  feed(chunk: string, out: NormalizedEvent[]): void {
    this.builder.feed(chunk, out);
  }

  end(out: NormalizedEvent[]): void {
    this.builder.end(out);
  }

  /** The tree an event's process belongs to (for --block). */
  treeOf(event: NormalizedEvent): InstallTree | undefined {
    return this.trees.of(Number(event.fields.ProcessId));
  }
}
