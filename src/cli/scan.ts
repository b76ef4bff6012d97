import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Alert } from '../alerts/alert.js';
import { AlertCollector } from '../alerts/collector.js';
import { Detector } from '../alerts/detector.js';
import { loadPacks, type Pack } from '../alerts/pack.js';
import { parseSince, parseTimestamp, type TimeWindow } from '../alerts/window.js';
import { DEFAULT_COLUMNS } from '../outputs/default-columns.js';
import { OUTPUT_FORMATS } from '../outputs/formats.js';
import { planTasks, type ScanTask } from '../parallel/plan.js';
import { runTasks } from '../parallel/pool.js';
import type { TaskResult } from '../parallel/protocol.js';
import { readInputs } from '../sources/open.js';
import { Progress } from './progress.js';
import { formatProblem, ScanSummary } from './summary.js';
import { UsageError } from './usage-error.js';

export interface ScanOptions {
  rules: string[];
  format?: string;
  inputFormat?: string;
  now?: string;
  since?: string;
  limit?: string;
  quiet?: boolean;
  threads?: string;
}

/** Below this much input, starting workers (each compiles the rules) costs more than it saves. */
const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

/** `supplywatch scan`: read, detect, order/limit, print. Returns the exit status. */
export async function scanCommand(paths: string[], options: ScanOptions): Promise<number> {
  const format = options.format ?? (process.stdout.isTTY ? 'table' : 'jsonl');
  const makeWriter = OUTPUT_FORMATS[format];
  if (!makeWriter) throw new UsageError(`--format must be one of ${Object.keys(OUTPUT_FORMATS).join(', ')}`);
  const window = timeWindow(options);
  const limit = options.limit === undefined ? undefined : parseLimit(options.limit);
  if (paths.length === 0) throw new UsageError('scan needs at least one path (a file, a folder, or - for stdin)');

  const ruleSpecs = options.rules.length > 0 ? options.rules : ['seed'];
  const loaded = await loadPacks(ruleSpecs);
  for (const problem of loaded.rejected) process.stderr.write(`rule rejected: ${formatProblem(problem)}\n`);
  const rulesLoaded = loaded.packs.reduce((n, p) => n + p.rules.length, 0);
  if (rulesLoaded === 0) throw new UsageError('no rule could be loaded');

  const single = loaded.packs.length === 1 ? loaded.packs[0] : undefined;
  const columns = single?.columns ?? DEFAULT_COLUMNS;
  // A pack's ORDER BY needs its LIMIT (as in the AQL): sorting every alert of an unbounded scan
  // would hold them all in memory. Without --limit, alerts stream in input order.
  const order = limit !== undefined && loaded.packs.some((p) => p.order) ? 'time-desc' : undefined;
  const writer = makeWriter({ out: process.stdout, columns, width: process.stdout.columns });
  const summary = new ScanSummary();
  let emitted = 0;
  const collector = new AlertCollector((alert) => {
    emitted += 1;
    writer.write(alert);
  }, order, limit);
  const detector = new Detector(loaded.packs);
  const progress = new Progress(!options.quiet && process.stderr.isTTY === true);

  const accept = (alert: Alert) => {
    summary.countAlert(alert);
    collector.add(alert);
  };
  const threads = parseThreads(options.threads);
  const tasks = threads > 1 && !paths.includes('-') ? await planTasks(paths, options.inputFormat, (b) => summary.countBad(b)) : undefined;
  if (tasks && tasks.length > 1 && (await totalBytes(tasks)) >= PARALLEL_MIN_BYTES) {
    const setup = { rules: ruleSpecs, inputFormat: options.inputFormat, windowAfter: window?.after };
    await runTasks(tasks, threads, setup, mergeInOrder(loaded.packs, summary, accept, progress));
  } else {
    await scanInline(paths, options.inputFormat, window, detector, summary, accept, progress);
  }
  collector.finish();
  writer.end();
  progress.stop();
  if (!options.quiet) process.stderr.write(summary.render(rulesLoaded, loaded.rejected, emitted));
  return summary.alerts > 0 ? 1 : 0;
}

async function scanInline(
  paths: string[],
  inputFormat: string | undefined,
  window: TimeWindow | undefined,
  detector: Detector,
  summary: ScanSummary,
  accept: (alert: Alert) => void,
  progress: Progress,
): Promise<void> {
  let seq = 0;
  const found: Alert[] = [];
  for await (const batch of readInputs(paths, { inputFormat, onBad: (b) => summary.countBad(b) })) {
    summary.countEvents(batch.input, batch.format, batch.events.length);
    for (const event of batch.events) {
      seq += 1;
      if (window && !(event.time !== undefined && event.time > window.after)) {
        summary.outsideWindow += 1;
        continue;
      }
      detector.detect(event, seq, found);
    }
    for (const alert of found) accept(alert);
    found.length = 0;
    progress.update(batch.input, summary.events, summary.alerts);
  }
}

/**
 * Turns worker results (delivered in task order) back into alerts: rules by position, event
 * positions and line numbers offset by everything read before the task, so the alerts are
 * exactly those of a single-threaded scan.
 */
function mergeInOrder(packs: Pack[], summary: ScanSummary, accept: (alert: Alert) => void, progress: Progress) {
  let seqBase = 0;
  const linesBefore = new Map<string, number>();
  return (result: TaskResult) => {
    const { task } = result;
    const lineBase = task.range ? (linesBefore.get(task.input) ?? 0) : 0;
    const shift = <T extends { line?: number }>(x: T) => {
      if (lineBase && x.line !== undefined) x.line += lineBase;
    };
    summary.countEvents(task.input, result.format, result.events);
    summary.outsideWindow += result.outsideWindow;
    for (const bad of result.bad) {
      shift(bad);
      summary.countBad(bad);
    }
    summary.badCount += result.badCount - result.bad.length;
    for (const wire of result.alerts) {
      shift(wire.event.source);
      const pack = packs[wire.pack]!;
      accept({ seq: seqBase + wire.seq, pack, rule: pack.rules[wire.rule]!, label: wire.label, event: wire.event });
    }
    seqBase += result.events;
    if (task.range) linesBefore.set(task.input, lineBase + result.lines);
    progress.update(task.input, summary.events, summary.alerts);
  };
}

async function totalBytes(tasks: ScanTask[]): Promise<number> {
  let total = 0;
  for (const task of tasks) {
    if (task.range) total += task.range.end - task.range.start;
    else total += await stat(task.input).then((s) => s.size, () => 0);
  }
  return total;
}

function parseThreads(text: string | undefined): number {
  if (text === undefined) return Math.max(1, availableParallelism());
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`--threads: '${text}' is not a positive integer`);
  return Number(text);
}

function timeWindow(options: ScanOptions): TimeWindow | undefined {
  const now = options.now === undefined ? Date.now() : parseTimestamp(options.now);
  if (now === undefined) throw new UsageError(`--now: '${options.now}' is not a timestamp (e.g. 2026-11-27T12:00:00Z)`);
  if (options.since === undefined) return undefined;
  const window = parseSince(options.since, now);
  if (typeof window === 'string') throw new UsageError(window);
  return window;
}

function parseLimit(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--limit: '${text}' is not a non-negative integer`);
  return Number(text);
}
