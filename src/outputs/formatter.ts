import type { Alert } from '../alerts/alert.js';
import type { Column } from '../alerts/columns.js';

/**
 * Turns an alert into its final text. Pure (no state, no I/O), so worker threads can format
 * their own alerts and the main thread only orders and writes text. One file per format;
 * `formats.ts` lists them.
 */
export interface AlertFormatter {
  /** Written once before the first alert ('' when the format has none). */
  header: string;
  format(alert: Alert): string;
}

export interface FormatterOptions {
  /** Output columns: the pack's SELECT list when a single pack defines one, else the defaults. */
  columns: Column[];
  /** Terminal width for the table format. */
  width?: number;
  /**
   * CSV only: print every cell's exact bytes, as QRadar does (`--csv-raw`), instead of
   * neutralising formula-leading cells and escaping terminal controls (escape.ts csvCell).
   */
  rawCells?: boolean;
}
