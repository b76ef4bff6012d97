import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Alert } from '../alerts/alert.js';
import { addContext } from '../alerts/context.js';
import { AlertCollector } from '../alerts/collector.js';
import { Correlator, Detector } from '../alerts/detector.js';
import { formatAlert } from '../alerts/format-alert.js';
import type { FormattedAlert } from '../alerts/formatted.js';
import { loadPacks, type PackLoad } from '../alerts/pack.js';
import { parseSince, parseTimestamp, type TimeWindow } from '../alerts/window.js';
import { loadTuning, TunedDetector, type Tuning } from '../config/index.js';
import { Enricher } from '../enrich/enricher.js';
import { enrichmentNeeded } from '../enrich/needed.js';
import { BufferedOut } from '../outputs/buffered.js';
import type { AlertFormatter } from '../outputs/formatter.js';
import { OUTPUT_FORMATS, outputColumns } from '../outputs/formats.js';
import type { AlertBlock } from '../parallel/alert-block.js';
import { LineBases } from '../parallel/line-bases.js';
import { planTasks, type ScanTask } from '../parallel/plan.js';
import { mainThreadScanner, runTasks, startWorkers, TASKS_QUEUED, type PoolWorker } from '../parallel/pool.js';
import { readInputs } from '../sources/open.js';
import { Progress } from './progress.js';
import { formatProblem, ScanSummary } from './summary.js';
import { shedStartupGarbage } from './startup-garbage.js';
import { UsageError } from './usage-error.js';
import { withOptimizerPaused } from './optimizer-pause.js';
import { yieldCoresToScanners } from './v8-flags.js';
import { helpedLoad } from './helped-load.js';

export interface ScanOptions {
  rules: string[];
  format?: string;
  inputFormat?: string;
  now?: string;
  since?: string;
  limit?: string;
  quiet?: boolean;
  threads?: string;
  /** supplywatch.yaml: mirrors, allowed hosts, bots, build chain, suppressions, levels (docs/config.md). */
  config?: string;
}

/** `--threads N` given: below this much input (two 16 MiB tasks) there is nothing to split. */
const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
/**
 * Threads by default (one per core): the input a scan needs before workers pay for themselves.
 * A worker costs a fixed ~0.4 s (seed pack) to ~1.7 s (SigmaHQ process_creation) of CPU: its
 * isolate starts, compiles the rules, builds the prefilter automata and warms up its code, on
 * the cores the scan needs. Two threads against one on this 2-core machine: seed 0.85 / 0.67 s
 * at 40 MB, 1.25 / 1.10 s at 125 MB, 1.68 / 1.71 s at 270 MB, 4.28 / 5.95 s at 1.25 GB; SigmaHQ
 * (1,183 rules, workstation mix) 3.3–3.6 / 2.7 s at 120 MB, 4.5 / 4.2–4.9 s at 300 MB, 8.3 /
 * 12.1 s at 1.26 GB. N threads gain S(1 − 1/N) of a scan's S seconds against a fixed cost, so
 * the break-even falls as N grows: 256 MiB at two threads, 128 MiB · N/(N − 1) in general.
 */
function autoParallelMinBytes(threads: number): number {
  return Math.ceil((128 * 1024 * 1024 * threads) / (threads - 1));
}

/** `supplywatch scan`: read, detect, order/limit, print. Returns the exit status. */
export async function scanCommand(paths: string[], options: ScanOptions): Promise<number> {
  const format = options.format ?? (process.stdout.isTTY ? 'table' : 'jsonl');
  const makeFormatter = OUTPUT_FORMATS[format];
  if (!makeFormatter) throw new UsageError(`--format must be one of ${Object.keys(OUTPUT_FORMATS).join(', ')}`);
  const window = timeWindow(options);
  const limit = options.limit === undefined ? undefined : parseLimit(options.limit);
  if (paths.length === 0) throw new UsageError('scan needs at least one path (a file, a folder, or - for stdin)');

  const summary = new ScanSummary();
  const threads = parseThreads(options.threads);
  const tasks = threads > 1 && !paths.includes('-') ? await planTasks(paths, options.inputFormat, (b) => summary.countBad(b)) : undefined;
  const oneThread = threads > 1 ? await whyOneThread(tasks, options.threads === undefined ? autoParallelMinBytes(threads) : PARALLEL_MIN_BYTES) : undefined;
  const useWorkers = tasks !== undefined && oneThread === undefined;
  summary.threads = useWorkers ? Math.min(threads, tasks.length) : 1;
  if (oneThread) summary.threadsNote = `of ${threads}: ${oneThread}`;
  // The main thread scans too (pool.ts), beside threads - 1 workers, started before the rules
  // load: they compile each rule file this thread loads as it loads it.
  const scanning = { inputFormat: options.inputFormat, windowAfter: window?.after, format, width: process.stdout.columns, limit };
  if (useWorkers) yieldCoresToScanners(summary.threads);
  const pool = useWorkers ? startWorkers(summary.threads - 1, { ...scanning, config: options.config, now: options.now }) : undefined;
  try {
    const specs = options.rules.length > 0 ? options.rules : ['seed'];
    const loaded = pool ? await withOptimizerPaused(() => loadPacks(specs, pool.loadHooks)) : await helpedLoad(threads, (hooks) => loadPacks(specs, hooks));
    const tuning = loadTuning(options.config, options.now);
    for (const problem of loaded.rejected) process.stderr.write(`rule rejected: ${formatProblem(problem)}\n`);
    const rulesLoaded = loaded.packs.reduce((n, p) => n + p.rules.length + (p.correlations?.length ?? 0), 0);
    if (rulesLoaded === 0) throw new UsageError('no rule could be loaded');
    // A pack's ORDER BY needs its LIMIT (as in the AQL): sorting every alert of an unbounded scan
    // would hold them all in memory. Without --limit, alerts stream in input order.
    const order = limit !== undefined && loaded.packs.some((p) => p.order) ? ('time-desc' as const) : undefined;
    pool?.start(loaded.packs, order);
    const parallel = pool && tasks ? { tasks, workers: [mainThreadScanner(loaded.packs, tuning, { ...scanning, order }), ...pool.workers] } : undefined;
    return await scanWith(paths, options, { makeFormatter, window, order, limit, loaded, tuning, rulesLoaded, summary, parallel });
  } finally {
    await pool?.close();
  }
}

/** The scan once scanCommand has settled its options and started the workers (if any) with their tasks. */
async function scanWith(
  paths: string[],
  options: ScanOptions,
  plan: {
    makeFormatter: (typeof OUTPUT_FORMATS)[string];
    window: TimeWindow | undefined;
    order: 'time-desc' | undefined;
    limit: number | undefined;
    loaded: PackLoad;
    tuning: Tuning | undefined;
    rulesLoaded: number;
    summary: ScanSummary;
    parallel: { tasks: ScanTask[]; workers: PoolWorker[] } | undefined;
  },
): Promise<number> {
  const { makeFormatter, window, order, limit, loaded, tuning, rulesLoaded, summary, parallel } = plan;
  const width = process.stdout.columns;
  const formatter = makeFormatter({ columns: outputColumns(loaded.packs), width });
  const out = new BufferedOut(process.stdout);
  out.write(formatter.header);
  let emitted = 0;
  const collector = new AlertCollector((alert) => {
    emitted += 1;
    out.write(alert.text);
  }, order, limit, (bytes, count) => {
    emitted += count;
    out.writeBytes(bytes);
  });
  const progress = new Progress(!options.quiet && process.stderr.isTTY === true);
  // Called once per batch or task: alerts reach a terminal promptly, in blocks.
  const accept = (alerts: readonly FormattedAlert[]) => {
    for (const alert of alerts) {
      summary.countAlert(alert);
      collector.add(alert);
    }
    out.flush();
  };

  if (parallel) {
    const { tasks, workers } = parallel;
    // Correlations are stateful across tasks: workers send their matches, correlated here in task order.
    const correlator = new Correlator(loaded.packs);
    const correlated: Alert[] = [];
    await runTasks(tasks, workers, new LineBases(tasks, TASKS_QUEUED * workers.length), {
      block: (block) => {
        correlator.correlate(block.matches, correlated);
        acceptBlock(block, correlated.map((alert) => formatAlert(alert, formatter)), summary, collector);
        correlated.length = 0;
        out.flush();
        // Files and /dev/null are written synchronously; a stream still holding bytes keeps the buffer.
        return process.stdout.writableLength === 0;
      },
      result: (result) => {
        summary.countEvents(result.task.input, result.format, result.events);
        summary.outsideWindow += result.outsideWindow;
        for (const bad of result.bad) summary.countBad(bad);
        summary.badCount += result.badCount - result.bad.length;
        progress.update(result.task.input, summary.events, summary.alerts);
      },
    });
    correlator.finish(correlated);
    accept(correlated.map((alert) => formatAlert(alert, formatter)));
  } else {
    const detector = tuning ? new TunedDetector(loaded.packs, tuning) : new Detector(loaded.packs);
    const enricher = enrichmentNeeded(loaded.packs) ? new Enricher() : undefined;
    await scanInline(paths, options.inputFormat, window, enricher, detector, formatter, summary, accept, progress);
  }
  collector.finish();
  out.flush();
  progress.stop();
  if (!options.quiet) process.stderr.write(summary.render(rulesLoaded, loaded.rejected, emitted));
  return summary.alerts > 0 ? 1 : 0;
}

async function scanInline(
  paths: string[],
  inputFormat: string | undefined,
  window: TimeWindow | undefined,
  enricher: Enricher | undefined,
  detector: Detector,
  formatter: AlertFormatter,
  summary: ScanSummary,
  accept: (alerts: readonly FormattedAlert[]) => void,
  progress: Progress,
): Promise<void> {
  let seq = 0;
  const found: Alert[] = [];
  for await (const batch of readInputs(paths, { inputFormat, onBad: (b) => summary.countBad(b) })) {
    summary.countEvents(batch.input, batch.format, batch.events.length);
    for (const event of batch.events) {
      seq += 1;
      // Every event, inside the window or not: a process tree needs the processes started before it.
      enricher?.enrich(event);
      if (window && !(event.time !== undefined && event.time > window.after)) {
        summary.outsideWindow += 1;
        continue;
      }
      const before = found.length;
      detector.detect(event, seq, found);
      addContext(found, before, enricher, event);
    }
    if (found.length > 0) accept(found.map((alert) => formatAlert(alert, formatter)));
    found.length = 0;
    progress.update(batch.input, summary.events, summary.alerts);
    if (batch.events.length > 0) shedStartupGarbage();
  }
  detector.finish(found);
  if (found.length > 0) accept(found.map((alert) => formatAlert(alert, formatter)));
}

/**
 * A worker's block (its alerts in event order) and the correlation alerts its matches
 * completed: each correlation alert goes after the alerts of the event that completed it, and
 * the summary counts rules in the order their first alerts come, as in a single thread.
 */
function acceptBlock(block: AlertBlock, correlated: readonly FormattedAlert[], summary: ScanSummary, collector: AlertCollector): void {
  // Ordered scans: alerts of the same time and event keep input order, the event's own first.
  for (const alert of block.held ?? []) collector.add(alert);
  let from = 0;
  let rule = 0;
  const upTo = (to: number) => {
    for (; rule < block.rules.length && block.rules[rule]!.first < to; rule += 1) {
      const { rule: key, title, count } = block.rules[rule]!;
      summary.countRule(key, title, count);
    }
    if (block.bytes.byteLength > 0 && to > from) collector.addEncoded(block.bytes, block.ends, from, to);
    from = to;
  };
  for (const alert of correlated) {
    let to = from;
    while (to < block.seqs.length && block.seqs[to]! <= alert.seq) to += 1;
    upTo(to);
    summary.countAlert(alert);
    collector.add(alert);
  }
  upTo(block.seqs.length);
}

async function totalBytes(tasks: ScanTask[]): Promise<number> {
  let total = 0;
  for (const task of tasks) {
    if (task.range) total += task.range.end - task.range.start;
    else total += await stat(task.input).then((s) => s.size, () => 0);
  }
  return total;
}

/** Why a scan allowed several threads runs on one (for the summary); undefined when workers run. */
async function whyOneThread(tasks: ScanTask[] | undefined, minBytes: number): Promise<string | undefined> {
  if (!tasks) return 'stdin is read on one thread';
  if (tasks.length < 2) return 'a single input that cannot be split';
  if ((await totalBytes(tasks)) < minBytes) return `input under ${minBytes >> 20} MiB, where workers cost more than they save`;
  return undefined;
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
