import type { BadRecord } from '../sources/reader.js';
import { terminalSafe } from '../outputs/escape.js';
import { formatBad } from '../outputs/problems.js';
import type { BuilderCounts } from './event-builder.js';

/** Counters of a `supplywatch run`, rendered on stderr at the end. */
export class RunSummary {
  readonly perCategory = new Map<string, number>();
  events = 0;
  readonly bad: BadRecord[] = [];
  badCount = 0;
  readonly alertsPerRule = new Map<string, { title: string; count: number }>();
  alerts = 0;

  /** `started`: performance.now() when the command was started. */
  constructor(readonly started: number) {}

  countEvent(category: string | undefined): void {
    this.events += 1;
    const key = category ?? 'other';
    this.perCategory.set(key, (this.perCategory.get(key) ?? 0) + 1);
  }

  countBad(record: BadRecord): void {
    this.badCount += 1;
    if (this.bad.length < 20) this.bad.push(record);
  }

  countAlert(rule: string, title: string): void {
    this.alerts += 1;
    const entry = this.alertsPerRule.get(rule) ?? { title, count: 0 };
    entry.count += 1;
    this.alertsPerRule.set(rule, entry);
  }

  render(parts: { command: string; sensor: 'audit' | 'strace'; why: string; outcome: string; counts: BuilderCounts; rulesLoaded: number; rejected: number; extra: string[] }): string {
    const seconds = (performance.now() - this.started) / 1000;
    const byCategory = [...this.perCategory].map(([c, n]) => `${c} ${n}`).join(', ');
    const lines = ['', '── supplywatch run summary ──'];
    lines.push(`command: ${terminalSafe(parts.command)}`);
    lines.push(`sensor: ${parts.sensor} (${terminalSafe(parts.why)})`);
    lines.push(`outcome: ${terminalSafe(parts.outcome)}`);
    lines.push(`events: ${this.events}${byCategory ? ` (${byCategory})` : ''}`);
    const c = parts.counts;
    if (parts.sensor === 'strace') {
      lines.push(`system calls: ${c.calls}; failed execs ignored (PATH search): ${c.failedExecs}; writes to /dev, /proc, /sys ignored: ${c.pseudoFiles}; calls of threads never introduced: ${c.orphanCalls}`);
    } else {
      lines.push(
        `audited calls: ${c.calls} (failed execs and read-only opens filtered in the kernel); writes to /dev, /proc, /sys ignored: ${c.pseudoFiles}; processes seen before their creation: ${c.orphanCalls}; ` +
          `DNS lookups dropped unreported (too many waited between two reads): ${c.lookupsDropped ?? 0}`,
      );
    }
    lines.push(`bad lines: ${this.badCount}`);
    for (const b of this.bad) lines.push(`  ${formatBad(b)}`);
    if (this.badCount > this.bad.length) lines.push(`  … ${this.badCount - this.bad.length} more`);
    lines.push(`rules: ${parts.rulesLoaded} loaded, ${parts.rejected} rejected`);
    lines.push(`alerts: ${this.alerts}`);
    const perRule = [...this.alertsPerRule.values()].sort((a, b) => b.count - a.count);
    for (const { title, count } of perRule) lines.push(`  ${String(count).padStart(7)}  ${terminalSafe(title)}`);
    // Escaped here, where they are written, whatever their source (sink errors carry hosts and paths); escaping is idempotent.
    lines.push(...parts.extra.map(terminalSafe));
    lines.push(`elapsed: ${seconds.toFixed(2)} s`);
    return lines.join('\n') + '\n';
  }
}
