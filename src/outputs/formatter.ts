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
  /** Written between two alerts (a JSON array's comma); none when absent. */
  separator?: string;
  /** Written once after the last alert. */
  footer?: string;
  /**
   * Formats whose output depends on every alert (caps, totals: GitHub annotations, a job
   * summary) keep that state on the main thread, where alerts come in final order: `add` gets
   * each alert's text from `format` and returns what to write, `end` what closes the output.
   */
  document?(): OutputDocument;
}

export interface OutputDocument {
  add(text: string): string;
  end(): string;
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
  /** Each line behind an RFC 5424 header (a syslog destination, syslog-header.ts). */
  syslog?: boolean;
  /** The rules of the scan, for formats that describe them up front (SARIF). */
  rules?: ReadonlyArray<Alert['rule']>;
}
