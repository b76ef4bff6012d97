import type { NormalizedEvent } from '../events/event.js';
import type { BadRecord } from '../sources/reader.js';
import type { ScanTask } from './plan.js';

/** What every worker is started with: enough to load the same packs in the same order. */
export interface WorkerSetup {
  rules: string[];
  inputFormat?: string;
  /** Exclusive lower bound of the time window, epoch ms. */
  windowAfter?: number;
}

/** An alert crossing the thread boundary: rules by position, since compiled rules cannot be cloned. */
export interface WireAlert {
  pack: number;
  rule: number;
  label: string;
  /** Position of the event within its task (1-based). */
  seq: number;
  event: NormalizedEvent;
}

export interface TaskResult {
  task: ScanTask;
  format: string;
  /** Every event read, inside the window or not. */
  events: number;
  outsideWindow: number;
  /** Newlines in a range task's bytes: the line-number offset of the next range. */
  lines: number;
  bad: BadRecord[];
  badCount: number;
  alerts: WireAlert[];
}

export type WorkerMessage = { type: 'ready' } | { type: 'result'; result: TaskResult } | { type: 'error'; message: string };
