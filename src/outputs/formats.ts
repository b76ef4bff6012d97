import type { Pack } from '../alerts/pack.js';
import type { Column } from '../alerts/columns.js';
import { cefFormatter } from './cef.js';
import { csvFormatter } from './csv.js';
import { DEFAULT_COLUMNS } from './default-columns.js';
import type { OutputFormatName } from './format-names.js';
import type { AlertFormatter, FormatterOptions } from './formatter.js';
import { ecsFormatter } from './ecs.js';
import { githubFormatter } from './github.js';
import { hecFormatter } from './hec.js';
import { htmlFormatter } from './html.js';
import { jsonlFormatter } from './jsonl.js';
import { leefFormatter } from './leef.js';
import { multiplexFormatter } from './multiplex.js';
import { sarifFormatter } from './sarif.js';
import { summaryFormatter } from './summary.js';
import { withSyslogHeader } from './syslog-header.js';
import { tableFormatter } from './table.js';

/**
 * How alerts are written, as plain data: a format name (a key of OUTPUT_FORMATS) and its options.
 * `multiplex` (never named by users) formats for several outputs at once (multiplex.ts).
 */
export type OutputSpec = Omit<FormatterOptions, 'columns' | 'rules'> & { format: string; parts?: OutputSpec[] };

/** A formatter for every name of format-names.ts (the type says so). */
export const OUTPUT_FORMATS: Record<OutputFormatName, (options: FormatterOptions) => AlertFormatter> = {
  table: tableFormatter,
  jsonl: jsonlFormatter,
  csv: csvFormatter,
  leef: leefFormatter,
  cef: cefFormatter,
  sarif: sarifFormatter,
  github: githubFormatter,
  summary: summaryFormatter,
  ecs: ecsFormatter,
  hec: hecFormatter,
  html: htmlFormatter,
};

/** A single pack with its own SELECT list prints those columns; anything else the defaults. */
export function outputColumns(packs: readonly Pack[]): Column[] {
  return (packs.length === 1 ? packs[0]!.columns : undefined) ?? DEFAULT_COLUMNS;
}

/** The formatter an output spec names, for these packs (the name was validated when the plan was made). */
export function makeFormatter(output: OutputSpec, packs: readonly Pack[]): AlertFormatter {
  const { format, parts, ...options } = output;
  if (format === 'multiplex') return multiplexFormatter(parts!.map((part) => makeFormatter(part, packs)));
  const rules = packs.flatMap((p) => [...p.rules, ...(p.correlations ?? [])]);
  const formatter = OUTPUT_FORMATS[format as OutputFormatName]({ ...options, columns: outputColumns(packs), rules });
  return options.syslog ? withSyslogHeader(formatter) : formatter;
}
