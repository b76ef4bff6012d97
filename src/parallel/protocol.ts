import type { FormattedAlert } from '../alerts/formatted.js';
import type { BadRecord } from '../sources/reader.js';
import type { ScanTask } from './plan.js';

/** What every worker is started with: enough to load the same packs and format the same way. */
export interface WorkerSetup {
  rules: string[];
  inputFormat?: string;
  /** Exclusive lower bound of the time window, epoch ms. */
  windowAfter?: number;
  /** Output format name (a key of OUTPUT_FORMATS) and table width. */
  format: string;
  width?: number;
}

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
  alerts: FormattedAlert[];
}

export type WorkerMessage = { type: 'ready' } | { type: 'result'; result: TaskResult } | { type: 'error'; message: string };
