import type { FormattedAlert } from '../alerts/formatted.js';
import type { InputReports, SkippedInput, UnreadableInput } from '../sources/open.js';
import type { BadRecord } from '../sources/reader.js';
import type { RuleProblem } from '../sigma/index.js';
import { terminalSafe } from '../outputs/escape.js';
import { formatBad, formatUnreadable } from '../outputs/problems.js';
import { count } from '../outputs/count.js';

/** Counters for the end-of-scan summary on stderr. */
export class ScanSummary {
  readonly started = performance.now();
  events = 0;
  readonly perSource = new Map<string, { format: string; events: number }>();
  readonly bad: BadRecord[] = [];
  badCount = 0;
  /** Inputs that could not be read at all (the scan exits 2), and inputs skipped on purpose. */
  readonly unreadable: UnreadableInput[] = [];
  readonly skipped: SkippedInput[] = [];
  readonly alertsPerRule = new Map<string, { title: string; count: number }>();
  alerts = 0;
  outsideWindow = 0;
  /** Scanning threads used (the main thread and its workers), and why not more when so. */
  threads = 1;
  threadsNote: string | undefined;

  countEvents(input: string, format: string, n: number): void {
    this.events += n;
    const entry = this.perSource.get(input) ?? { format, events: 0 };
    entry.events += n;
    this.perSource.set(input, entry);
  }

  /** Keeps the first reports verbatim; all are counted. */
  countBad(record: BadRecord): void {
    this.badCount += 1;
    if (this.bad.length < 50) this.bad.push(record);
  }

  /**
   * Reports of what could not be read, for planTasks and readInputs. Paths may be expanded
   * twice (to plan the threads, then to read them on one): each input is listed once.
   */
  get inputReports(): Omit<InputReports, 'exclude'> {
    const listed = new Set<string>();
    const once = (file: string) => !listed.has(file) && listed.add(file) !== undefined;
    return {
      onBad: (b) => this.countBad(b),
      onUnreadable: (u) => void (once(`${u.named}:${u.file}`) && this.unreadable.push(u)),
      onSkip: (s) => void (once(`skip:${s.file}`) && this.skipped.push(s)),
    };
  }

  countAlert(alert: FormattedAlert): void {
    this.countRule(alert.rule, alert.title, 1);
  }

  /** `count` alerts of one rule (a worker's block counts them for the main thread). */
  countRule(rule: string, title: string, count: number): void {
    this.alerts += count;
    const entry = this.alertsPerRule.get(rule) ?? { title, count: 0 };
    entry.count += count;
    this.alertsPerRule.set(rule, entry);
  }

  render(rulesLoaded: number, rejected: RuleProblem[], emitted: number): string {
    const seconds = (performance.now() - this.started) / 1000;
    const lines: string[] = ['', '── supplywatch summary ──'];
    for (const [input, { format, events }] of this.perSource) {
      lines.push(`  ${terminalSafe(input)}: ${count(events, 'event')} (${format})`);
    }
    lines.push(`events read: ${this.events}${this.outsideWindow ? ` (${this.outsideWindow} outside the time window)` : ''}`);
    if (this.events === 0) lines.push('no event was read');
    // By path: a scan that planned its threads first reports what its walk found unreadable
    // before what reading did, one that did not plan as it reads; the list is the same either way.
    const byPath = <T extends { file: string }>(list: readonly T[]) => [...list].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    for (const u of byPath(this.unreadable)) lines.push(`not read: ${formatUnreadable(u)}`);
    for (const s of byPath(this.skipped)) lines.push(`skipped: ${terminalSafe(`${s.file}: ${s.reason}`)}`);
    lines.push(`bad records: ${this.badCount}`);
    for (const b of this.bad) lines.push(`  ${formatBad(b)}`);
    if (this.badCount > this.bad.length) lines.push(`  … ${this.badCount - this.bad.length} more`);
    lines.push(`rules: ${rulesLoaded} loaded, ${rejected.length} rejected`);
    lines.push(`alerts: ${this.alerts}${emitted !== this.alerts ? ` (${emitted} printed after ordering/limit)` : ''}`);
    const perRule = [...this.alertsPerRule.values()].sort((a, b) => b.count - a.count);
    for (const { title, count } of perRule) lines.push(`  ${String(count).padStart(7)}  ${terminalSafe(title)}`);
    const rate = seconds > 0 ? Math.round(this.events / seconds) : this.events;
    lines.push(`threads: ${this.threads}${this.threadsNote ? ` ${this.threadsNote}` : ''}`);
    lines.push(`elapsed: ${seconds.toFixed(2)} s, ${rate} events/s`);
    lines.push(`peak memory: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    return lines.join('\n') + '\n';
  }
}
