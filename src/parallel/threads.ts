import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { InputReports } from '../sources/open.js';
import { planTasks, type ScanTask } from './plan.js';

/** `--threads N` given: below this much input (two 16 MiB tasks) there is nothing to split. */
const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

/**
 * Threads by default (one per core): the input a scan needs before workers pay for their fixed
 * start-up (an isolate, the rules compiled, the automata built, the code warmed up). N threads
 * gain S(1 − 1/N) of a scan's S seconds against that cost, so the break-even falls as N grows:
 * 128 MiB · N/(N − 1) (docs/performance.md#thread-count-break-even-of-worker-start-up).
 */
function autoParallelMinBytes(threads: number): number {
  return Math.ceil((128 * 1024 * 1024 * threads) / (threads - 1));
}

/** How many threads scan, the tasks they share (when more than one), and why not more. */
export interface ThreadDecision {
  threads: number;
  /** Set when workers run. */
  tasks?: ScanTask[];

  /** Why a scan allowed several threads runs on one, for the summary. */
  note?: string;
}

/**
 * Decides the threads of a scan from its inputs: `requested` is `--threads N`, or undefined for
 * one per core where the input is large enough to pay for them.
 */
export async function decideThreads(inputs: string[], requested: number | undefined, inputFormat: string | undefined, reports: InputReports): Promise<ThreadDecision> {
  const allowed = requested ?? Math.max(1, availableParallelism());
  if (allowed < 2) return { threads: 1 };
  const tasks = inputs.includes('-') ? undefined : await planTasks(inputs, inputFormat, reports);
  const why = await whyOneThread(tasks, requested === undefined ? autoParallelMinBytes(allowed) : PARALLEL_MIN_BYTES);
  if (why !== undefined || !tasks) return { threads: 1, note: `of ${allowed}: ${why}` };
  return { threads: Math.min(allowed, tasks.length), tasks };
}

async function whyOneThread(tasks: ScanTask[] | undefined, minBytes: number): Promise<string | undefined> {
  if (!tasks) return 'stdin is read on one thread';
  if (tasks.length < 2) return 'a single input that cannot be split';
  if ((await totalBytes(tasks)) < minBytes) return `input under ${minBytes >> 20} MiB, where workers cost more than they save`;
  return undefined;
}

async function totalBytes(tasks: ScanTask[]): Promise<number> {
  let total = 0;
  for (const task of tasks) {
    if (task.range) total += task.range.end - task.range.start;
    else total += await stat(task.input).then((s) => s.size, () => 0);
  }
  return total;
}
