import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { FoundInput, InputReports } from '../sources/open.js';
import { planTasks, type ScanTask } from './plan.js';

/** `--threads N` given: below this much work (two 16 MiB tasks) there is nothing to split. */
const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

/**
 * What a file costs a scanning thread beyond its bytes, in bytes of input that cost as much:
 * opening and sniffing it, an EVTX file's header and templates. 1,000 one-record EVTX files
 * took ~0.75 ms of CPU each, what ~128 KiB of NDJSON takes at the rate the break-even below was
 * measured at (docs/performance.md#thread-count-decided-by-files-and-bytes).
 */
export const FILE_COST_BYTES = 128 * 1024;

/**
 * Threads by default (one per core): the work a scan needs before workers pay for their fixed
 * start-up (an isolate, the rules compiled, the automata built, the code warmed up). N threads
 * gain S(1 − 1/N) of a scan's S seconds against that cost, so the break-even falls as N grows:
 * 128 MiB · N/(N − 1) (docs/performance.md#thread-count-break-even-of-worker-start-up).
 */
function autoParallelMinBytes(threads: number): number {
  return Math.ceil((128 * 1024 * 1024 * threads) / (threads - 1));
}

/**
 * `--threads N` is honoured up to this many threads per core: past it, each worker is only one
 * more isolate (its own start-up, rules, automata and heap, tens of MB) sharing the same cores,
 * and `--threads 1000` on a folder of many files started a worker per file until memory ran out.
 */
export const MAX_THREADS_PER_CORE = 4;

/** The threads a scan may use: one per core by default, `--threads N` up to MAX_THREADS_PER_CORE per core; `note` when N was capped. */
export function allowedThreads(requested: number | undefined, cores: number): { threads: number; note?: string } {
  const available = Math.max(1, cores);
  if (requested === undefined) return { threads: available };
  const most = available * MAX_THREADS_PER_CORE;
  return requested > most ? { threads: most, note: `(of ${requested} asked: at most ${MAX_THREADS_PER_CORE} per core)` } : { threads: requested };
}

/** How many threads scan, the tasks they share (when more than one), and why not more. */
export interface ThreadDecision {
  threads: number;
  /** Set when workers run. */
  tasks?: ScanTask[];
  /** One thread after planning: the inputs the plan found, to read without walking the folders again. */
  found?: FoundInput[];

  /** Why a scan allowed several threads runs on one, for the summary. */
  note?: string;
}

/**
 * Decides the threads of a scan from its inputs: `requested` is `--threads N`, or undefined for
 * one per core where the work (bytes and files) is large enough to pay for them.
 */
export async function decideThreads(inputs: string[], requested: number | undefined, inputFormat: string | undefined, reports: InputReports): Promise<ThreadDecision> {
  const { threads: allowed, note: capped } = allowedThreads(requested, availableParallelism());
  if (allowed < 2) return { threads: 1 };
  const tasks = inputs.includes('-') ? undefined : await planTasks(inputs, inputFormat, reports);
  if (!tasks) return { threads: 1, note: `of ${allowed}: stdin is read on one thread` };
  const why = whyOneThread(await workOf(tasks), allowed, requested !== undefined);
  if (why === undefined) return { threads: Math.min(allowed, tasks.length), tasks, ...(capped ? { note: capped } : {}) };
  return { threads: 1, note: `of ${allowed}: ${why}`, found: plannedInputs(tasks) };
}

/**
 * Why a scan whose rules read enriched fields runs on one thread unless `--threads` asks for
 * more: each thread folds every process start and DNS answer of the whole input (the state
 * relay), reads each task twice or holds its events between the two passes, and keeps a heap of
 * its own. Two threads took 60–70% more CPU than one and about four times its memory, for no
 * gain in wall time on two cores (docs/performance.md#enriching-scans-on-one-thread).
 */
export const ENRICHING_ON_ONE_THREAD = 'the rules read enriched fields (ancestry, install context, DNS names), which every thread would rebuild for the whole input';

/**
 * The decision once the rules are loaded (whether they read enriched fields is known only then):
 * a scan allowed several threads by default goes back to one when `enriching`.
 */
export function decideAfterLoad(decision: ThreadDecision, requested: number | undefined, enriching: boolean): ThreadDecision {
  if (decision.threads < 2 || requested !== undefined || !enriching || !decision.tasks) return decision;
  return { threads: 1, note: `of ${decision.threads}: ${ENRICHING_ON_ONE_THREAD}`, found: plannedInputs(decision.tasks) };
}

/** The inputs of planned tasks, each file once, for a one-thread scan that does not walk the folders again. */
function plannedInputs(tasks: ScanTask[]): FoundInput[] {
  return tasks.filter((t) => !t.range || t.range.first).map(({ input, named, size }) => ({ path: input, named, size }));
}

/** What a scan's tasks hold: their tasks, the files they read and the bytes. */
export interface Work {
  tasks: number;
  files: number;
  bytes: number;
}

/** Why `work` runs on one thread though `allowed` are (`requested`: given with --threads), or undefined when it does not. */
export function whyOneThread(work: Work, allowed: number, requested: boolean): string | undefined {
  if (work.tasks < 2) return 'a single input that cannot be split';
  const minBytes = requested ? PARALLEL_MIN_BYTES : autoParallelMinBytes(allowed);
  if (work.bytes + work.files * FILE_COST_BYTES < minBytes) {
    const files = work.files > 1 ? ` (${work.files} files counted as ${Math.round((work.files * FILE_COST_BYTES) / 2 ** 20)} MiB more)` : '';
    return `input under ${minBytes >> 20} MiB${files}, where workers cost more than they save`;
  }
  return undefined;
}

async function workOf(tasks: ScanTask[]): Promise<Work> {
  const work: Work = { tasks: tasks.length, files: 0, bytes: 0 };
  for (const task of tasks) {
    if (task.range) work.bytes += task.range.end - task.range.start;
    else work.bytes += task.size ?? (await stat(task.input).then((s) => s.size, () => 0));
    if (!task.range || task.range.first) work.files += 1;
  }
  return work;
}
