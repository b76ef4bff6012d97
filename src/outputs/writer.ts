import type { Alert } from '../alerts/alert.js';
import type { Column } from '../alerts/columns.js';

/** Turns alerts into text on a stream. One file per format; `formats.ts` lists them. */
export interface AlertWriter {
  write(alert: Alert): void;
  end(): void;
}

export interface WriterOptions {
  out: NodeJS.WritableStream;
  /** Output columns: the pack's SELECT list when a single pack defines one, else the defaults. */
  columns: Column[];
  /** Terminal width for the table format. */
  width?: number;
}
