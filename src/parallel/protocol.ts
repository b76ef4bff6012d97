import type { PackSnapshot, RuleSource } from '../alerts/pack-snapshot.js';
import type { PipelineSpec } from '../alerts/pipeline.js';
import type { OutputSpec } from '../outputs/formats.js';
import type { PlainRuleDocument } from '../sigma/index.js';
import type { AutomatonExchangeShare } from '../sigma/automaton-exchange.js';
import type { StateRecord } from '../enrich/records.js';
import type { BadRecord } from '../sources/reader.js';
import type { UnreadableInput } from '../sources/open.js';
import type { AlertBlock } from './alert-block.js';
import type { ScanTask } from './plan.js';

/**
 * What a scanner needs besides its packs, all plain data from the scan's plan: how to read, the
 * pipeline (tuning, now, window), how to format, the limit, and the packs' ORDER BY (with the
 * limit, each scanner keeps only the alerts of a task that can make it).
 */
export interface ScanSetup {
  inputFormat?: string;
  pipeline: PipelineSpec;
  output: OutputSpec;
  limit?: number;
  order?: 'time-desc';
}

/**
 * What every worker is started with, before the main thread loads the rules. The packs follow
 * as LoadMessages.
 */
export interface WorkerSetup extends Omit<ScanSetup, 'order'> {
  /** The scan's needle automata, built once for all its scanners: the worker joins as it starts (sigma/automaton-exchange.ts). */
  automata: AutomatonExchangeShare;
  /** The rule cache's folder, where automata built before are read back (sigma/automaton-cache.ts); undefined with --no-cache. */
  ruleCache?: string;
}

/**
 * Main → worker while the main thread loads the rules: each load's files, of which the worker
 * parses those it claims (rule-share.ts); the rules of each file, whichever thread parsed it,
 * with their prefilter anchors (alerts/pack-snapshot.ts); then the loaded packs, after which
 * the worker answers `ready` and takes tasks.
 */
export type LoadMessage =
  | { type: 'parse'; batch: number; files: readonly string[]; claims: SharedArrayBuffer }
  | { type: 'rules'; rules: RuleSource[] }
  | { type: 'packs'; packs: PackSnapshot[]; order?: ScanSetup['order'] };

/** A task as dispatched: with the line number offset of its range. */
export interface DispatchedTask extends ScanTask {
  lineBase: number;
}

export interface TaskResult {
  task: ScanTask;
  format: string;
  /** Every event read, inside the window or not. */
  events: number;
  outsideWindow: number;
  bad: BadRecord[];
  badCount: number;
  /** The task's input could not be read at all (for the summary, as a one-thread scan lists it). */
  unreadable: UnreadableInput[];
}

export type WorkerMessage =
  | { type: 'ready' }
  /** A rule file the worker claimed and parsed during the load (rule-share.ts). */
  | { type: 'parsed'; batch: number; index: number; documents: PlainRuleDocument[] | undefined; digest?: string }
  /** The task's alerts and correlation matches so far, before its result (see alert-block.ts). */
  | { type: 'block'; block: AlertBlock }
  | { type: 'result'; result: TaskResult }
  | { type: 'error'; message: string }
  /** The task's enrichment state records, sent before it waits for the state (see state-relay.ts). */
  | { type: 'records'; task: number; records: StateRecord[] };

/**
 * Main → worker: a task to run, the state records of the tasks other workers ran before one of its tasks, or
 * the buffer of a block the main thread has written, given back for reuse (alert-block.ts).
 */
export type MainMessage = DispatchedTask | { type: 'state'; task: number; records: StateRecord[] } | { type: 'spare'; buffer: ArrayBuffer };
