import type { Pack } from '../alerts/pack.js';
import type { Column } from '../alerts/columns.js';
import { csvFormatter } from './csv.js';
import { DEFAULT_COLUMNS } from './default-columns.js';
import type { AlertFormatter, FormatterOptions } from './formatter.js';
import { jsonlFormatter } from './jsonl.js';
import { tableFormatter } from './table.js';

/** How alerts are written, as plain data: a format name (a key of OUTPUT_FORMATS) and its options. */
export type OutputSpec = Omit<FormatterOptions, 'columns'> & { format: string };

export const OUTPUT_FORMATS: Record<string, (options: FormatterOptions) => AlertFormatter> = {
  table: tableFormatter,
  jsonl: jsonlFormatter,
  csv: csvFormatter,
};

/** A single pack with its own SELECT list prints those columns; anything else the defaults. */
export function outputColumns(packs: readonly Pack[]): Column[] {
  return (packs.length === 1 ? packs[0]!.columns : undefined) ?? DEFAULT_COLUMNS;
}

/** The formatter an output spec names, for these packs (the name was validated when the plan was made). */
export function makeFormatter(output: OutputSpec, packs: readonly Pack[]): AlertFormatter {
  const { format, ...options } = output;
  return OUTPUT_FORMATS[format]!({ ...options, columns: outputColumns(packs) });
}
