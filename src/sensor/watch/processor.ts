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
 * tree. Everything else is counted and dropped. No I/O: tests replay recorded or generated
 * records through it.
 */
export class WatchProcessor {
  readonly trees = new InstallTrees();
  readonly builder: AuditEventBuilder;
  /** Events of processes outside any package manager's tree. */
  outside = 0;
  private readonly all: NormalizedEvent[] = [];

  constructor(key: string, identity: AuditIdentity, resolver: HostResolver, onBad: (bad: BadRecord) => void) {
    this.builder = new AuditEventBuilder(key, identity, resolver, onBad, this.trees);
  }

  feed(chunk: string, out: NormalizedEvent[]): void {
    this.builder.feed(chunk, this.all);
    this.keep(out);
  }

  end(out: NormalizedEvent[]): void {
    this.builder.end(this.all);
    this.keep(out);
  }

  /** The tree an event's process belongs to (for --block). */
  treeOf(event: NormalizedEvent): InstallTree | undefined {
    return this.trees.of(Number(event.fields.ProcessId));
  }

  private keep(out: NormalizedEvent[]): void {
    for (const event of this.all) {
      const pid = Number(event.fields.ProcessId);
      let tree: InstallTree | undefined;
      if (event.category === 'process_creation') {
        const argv = String(event.fields.CommandLine ?? '').split(' ');
        const ppid = event.fields.ParentProcessId === undefined ? this.builder.table.get(pid)?.ppid : Number(event.fields.ParentProcessId);
        tree = this.trees.started(pid, ppid, packageManagerOf(String(event.fields.Image ?? ''), argv));
      } else {
        tree = this.trees.of(pid);
      }
      if (tree) out.push(event);
      else this.outside += 1;
    }
    this.all.length = 0;
  }
}
