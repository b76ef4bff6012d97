import { availableParallelism } from 'node:os';
import type { Alert } from '../alerts/alert.js';
import { AlertCollector } from '../alerts/collector.js';
import type { FormattedAlert } from '../alerts/formatted.js';
import { loadPacks, type PackLoad } from '../alerts/pack.js';
import { enrichmentNeeded } from '../alerts/enrichment-needed.js';
import { EventPipeline, MatchCorrelator } from '../alerts/pipeline.js';
import { UsageError } from '../errors.js';
import { BufferedOut } from '../outputs/buffered.js';
import { formatAlert } from '../outputs/format-alert.js';
import type { AlertFormatter } from '../outputs/formatter.js';
import { makeFormatter } from '../outputs/formats.js';
import type { OutputSet } from '../outputs/output-set.js';
import { formatProblem, formatUnreadable } from '../outputs/problems.js';
import type { AlertBlock } from '../parallel/alert-block.js';
import { helpedLoad } from '../parallel/helped-load.js';
import { LineBases } from '../parallel/line-bases.js';
import type { ScanTask } from '../parallel/plan.js';
import { mainThreadScanner, runTasks, startWorkers, TASKS_QUEUED, type PoolWorker } from '../parallel/pool.js';
import { decideAfterLoad, decideThreads } from '../parallel/threads.js';
import { withOptimizerPaused } from '../runtime/optimizer-pause.js';
import { shedStartupGarbage } from '../runtime/startup-garbage.js';
import { reclaimCores, yieldCoresToScanners } from '../runtime/v8-flags.js';
import { keepAutomataIn, RuleCache } from '../sigma/index.js';
import { outputIdentity, readerByName, readFound, readInputs, type FoundInput, type InputBatch, type InputReports, type UnreadableInput } from '../sources/open.js';
import type { ScanPlan } from './plan.js';
import { ScanSummary } from './summary.js';

/** Where a scan reports how far it got (a progress line on a terminal). */
export interface ProgressSink {
  update(input: string, events: number, alerts: number): void;
  stop(): void;
}

const NO_PROGRESS: ProgressSink = { update: () => {}, stop: () => {} };

/**
 * Runs a scan plan: loads the packs, reads the inputs on one thread or several, writes alerts to
 * stdout and the summary to stderr. Returns the exit status: 2 when an input could not be read
 * (after the others are scanned, as grep does), when an `--output` lost alerts or, with
 * `strict`, when a record was bad; else 1 with alerts, 0 without.
 */
export async function runScan(plan: ScanPlan, progress: ProgressSink = NO_PROGRESS): Promise<number> {
  if (plan.inputFormat !== undefined) readerByName(plan.inputFormat);
  // Loaded only for --output: its network sinks bring TLS and HTTPS, which every scan loaded.
  const outputs = plan.outputs && new (await import('../outputs/output-set.js')).OutputSet(plan.outputs);
  try {
    return await scanWithOutputs(plan, outputs, progress);
  } finally {
    // After a failure too: a syslog sink retrying its connection would keep the process alive.
    outputs?.abandon();
  }
}

async function scanWithOutputs(plan: ScanPlan, outputs: OutputSet | undefined, progress: ProgressSink): Promise<number> {
  const summary = new ScanSummary();
  // The file stdout writes to is never read as input (`scan DIR > DIR/alerts.jsonl`), nor are --output files.
  const output = outputIdentity();
  const reports: InputReports = { ...summary.inputReports, exclude: [...(output ? [output] : []), ...(outputs?.files ?? [])] };
  const planned = await decideThreads(plan.inputs, plan.threads, plan.inputFormat, reports);
  const tasks = planned.tasks;
  const scanning = { inputFormat: plan.inputFormat, pipeline: plan.pipeline, output: plan.output, limit: plan.limit };
  // The main thread scans too (pool.ts), beside threads - 1 workers, started before the rules
  // load: they compile each rule file this thread loads as it loads it.
  if (tasks) yieldCoresToScanners(planned.threads);
  // Automata built by an earlier scan are read back, on this thread and the workers.
  keepAutomataIn(plan.ruleCache);
  const started = tasks ? startWorkers(planned.threads - 1, { ...scanning, ruleCache: plan.ruleCache }) : undefined;
  let pool = started;
  try {
    const cache = plan.ruleCache === undefined ? undefined : new RuleCache(plan.ruleCache);
    const loaded = started
      ? await withOptimizerPaused(() => loadPacks(plan.rules, started.loadHooks, cache))
      : await helpedLoad(plan.threads ?? availableParallelism(), (hooks) => loadPacks(plan.rules, hooks, cache));
    for (const problem of loaded.rejected) process.stderr.write(`rule rejected: ${formatProblem(problem)}\n`);
    const rulesLoaded = loaded.packs.reduce((n, p) => n + p.rules.length + (p.correlations?.length ?? 0), 0);
    if (rulesLoaded === 0) throw new UsageError('no rule could be loaded');
    // A pack's ORDER BY needs its LIMIT (as in the AQL): sorting every alert of an unbounded scan
    // would hold them all in memory. Without --limit, alerts stream in input order.
    const order = plan.limit !== undefined && loaded.packs.some((p) => p.order) ? ('time-desc' as const) : undefined;
    const decision = decideAfterLoad(planned, plan.threads, enrichmentNeeded(loaded.packs));
    summary.threads = decision.threads;
    summary.threadsNote = decision.note;
    if (pool && !decision.tasks) {
      await pool.close();
      pool = undefined;
      reclaimCores();
    }
    pool?.start(loaded.packs, order);
    const workers = pool && decision.tasks ? [mainThreadScanner(loaded.packs, { ...scanning, order }), ...pool.workers] : undefined;
    return await scanLoaded(plan, { outputs, loaded, order, rulesLoaded, summary, progress, reports, found: decision.found, parallel: workers && decision.tasks && { tasks: decision.tasks, workers } });
  } finally {
    await pool?.close();
  }
}

interface Loaded {
  /** The --output destinations, open; undefined: alerts stream to stdout. */
  outputs: OutputSet | undefined;
  loaded: PackLoad;
  order: 'time-desc' | undefined;
  rulesLoaded: number;
  summary: ScanSummary;
  progress: ProgressSink;
  reports: InputReports;
  /** The inputs planned on one thread (parallel/threads.ts), or undefined: expand plan.inputs. */
  found: FoundInput[] | undefined;
  parallel: { tasks: ScanTask[]; workers: PoolWorker[] } | undefined;
}

async function scanLoaded(plan: ScanPlan, run: Loaded): Promise<number> {
  const { outputs, loaded, order, rulesLoaded, summary, progress, parallel } = run;
  const formatter = makeFormatter(plan.output, loaded.packs);
  outputs?.start(loaded.packs, plan.output);
  const out = outputs ?? new BufferedOut(process.stdout);
  out.write(formatter.header);
  let emitted = 0;
  const collector = new AlertCollector((alert) => {
    emitted += 1;
    out.write(alert.text);
  }, order, plan.limit, (bytes, count) => {
    emitted += count;
    out.writeBytes(bytes);
  });
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
    const correlator = new MatchCorrelator(loaded.packs, plan.pipeline);
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
        // As on one thread: an input listed with its events once a reader took it, else as not read.
        if (result.format !== 'unknown') summary.countEvents(result.task.input, result.format, result.events);
        for (const u of result.unreadable) run.reports.onUnreadable?.(u);
        summary.outsideWindow += result.outsideWindow;
        for (const bad of result.bad) summary.countBad(bad);
        summary.badCount += result.badCount - result.bad.length;
        progress.update(result.task.input, summary.events, summary.alerts);
      },
    });
    correlator.finish(correlated);
    accept(correlated.map((alert) => formatAlert(alert, formatter)));
  } else {
    const pipeline = new EventPipeline(loaded.packs, plan.pipeline);
    const open = { inputFormat: plan.inputFormat, ...run.reports };
    // Planned already (to decide the threads): the folders are not walked a second time.
    const batches = run.found ? readFound(run.found, open) : readInputs(plan.inputs, open);
    await scanInline(batches, pipeline, formatter, summary, accept, progress);
    summary.outsideWindow += pipeline.outsideWindow;
  }
  collector.finish();
  out.flush();
  const undelivered = (await outputs?.closeReport()) ?? [];
  progress.stop();
  if (!plan.quiet) process.stderr.write(summary.render(rulesLoaded, loaded.rejected, emitted));
  // Even with -q: alerts that never reached the SIEM must not pass for a quiet scan, nor for a
  // scan that merely found alerts (exit 2, as watch).
  for (const line of undelivered) process.stderr.write(`supplywatch: ${line}\n`);
  const status = exitStatus(plan, summary);
  return undelivered.length > 0 ? 2 : status;
}

/**
 * Exit status 2, as grep's, when an input could not be read: a path named on the command line,
 * or a file or folder inside one that the system refused (EACCES, EIO, …); or when nothing at
 * all was read. A file inside a folder that is simply not telemetry (a LICENSE, an empty file)
 * is listed in the summary but fails nothing on its own. Those errors are named even with -q: a
 * mistyped path must never read as a clean scan.
 */
function exitStatus(plan: ScanPlan, summary: ScanSummary): number {
  const errors = summary.unreadable.filter(isReadError);
  const nothingRead = summary.events === 0 && (summary.unreadable.length > 0 || summary.perSource.size === 0);
  if (plan.quiet) {
    for (const u of errors) process.stderr.write(`supplywatch: ${formatUnreadable(u)}\n`);
    if (summary.events === 0) process.stderr.write('supplywatch: no event was read\n');
  }
  if (errors.length > 0 || nothingRead || (plan.strict && summary.badCount > 0)) return 2;
  return summary.alerts > 0 ? 1 : 0;
}

function isReadError(u: UnreadableInput): boolean {
  return u.named || /^E[A-Z]+$/.test(u.code);
}

async function scanInline(
  batches: AsyncIterable<InputBatch>,
  pipeline: EventPipeline,
  formatter: AlertFormatter,
  summary: ScanSummary,
  accept: (alerts: readonly FormattedAlert[]) => void,
  progress: ProgressSink,
): Promise<void> {
  let seq = 0;
  const found: Alert[] = [];
  for await (const batch of batches) {
    summary.countEvents(batch.input, batch.format, batch.events.length);
    for (const event of batch.events) pipeline.process(event, ++seq, found);
    if (found.length > 0) accept(found.map((alert) => formatAlert(alert, formatter)));
    found.length = 0;
    progress.update(batch.input, summary.events, summary.alerts);
    if (batch.events.length > 0) shedStartupGarbage();
  }
  pipeline.finish(found);
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
