/**
 * `supplywatch aql run QUERY --events FILE [--now TIME] [--format csv|jsonl|table]`: run an AQL
 * detection offline over a QRadar export (see src/aql/). QUERY is the AQL text, or @FILE.
 */
import { readFileSync } from 'node:fs';
import { AqlError } from '../aql/parse.js';
import { runAql } from '../aql/run.js';
import { csvRow, rawCsvRow, safeJson, terminalSafe } from '../outputs/escape.js';
import { formatBad, formatUnreadable } from '../outputs/problems.js';
import { UsageError } from '../errors.js';
import { parseNow } from './options.js';
import { count } from '../outputs/count.js';

export interface AqlRunOptions {
  events?: string[];
  now?: string;
  format?: string;
  inputFormat?: string;
  quiet?: boolean;
  csvRaw?: boolean;
}

export async function aqlRunCommand(queryArg: string, o: AqlRunOptions): Promise<number> {
  if (!o.events?.length) throw new UsageError('aql run needs --events FILE (a QRadar JSON or CSV export)');
  if (o.events.includes('-')) throw new UsageError('aql run reads its input twice (columns, then rows): give a file, not stdin');
  let query = queryArg;
  if (queryArg.startsWith('@')) {
    try {
      query = readFileSync(queryArg.slice(1), 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read the query file ${queryArg.slice(1)}: ${(e as Error).message}`);
    }
  }
  const now = parseNow(o.now);
  const format = o.format ?? (process.stdout.isTTY ? 'table' : 'csv');
  if (!['csv', 'jsonl', 'table'].includes(format)) throw new UsageError('--format must be csv, jsonl or table');
  let bad = 0;
  let unreadable = 0;
  let result;
  try {
    result = await runAql(query, o.events, {
      now,
      inputFormat: o.inputFormat,
      onBad: (b) => {
        bad += 1;
        process.stderr.write(`bad record: ${formatBad(b)}\n`);
      },
      onUnreadable: (u) => {
        unreadable += 1;
        process.stderr.write(`supplywatch: ${formatUnreadable(u)}\n`);
      },
    });
  } catch (e) {
    if (e instanceof AqlError) throw new UsageError(`AQL: ${e.message}`);
    throw e;
  }
  const { columns, rows } = result;
  const row = o.csvRaw ? rawCsvRow : csvRow;
  if (o.csvRaw && format !== 'csv') throw new UsageError('--csv-raw goes with --format csv');
  if (format === 'csv') process.stdout.write(row(columns) + rows.map(row).join(''));
  else if (format === 'jsonl') process.stdout.write(rows.map((r) => safeJson(Object.fromEntries(columns.map((c, i) => [c, r[i]]))) + '\n').join(''));
  else {
    const cells = [columns, ...rows.map((r) => r.map((v) => terminalSafe(v ?? '')))];
    const widths = columns.map((_, i) => Math.min(60, Math.max(...cells.map((r) => [...(r[i] ?? '')].length))));
    const line = (r: string[]) => r.map((v, i) => (v.length > widths[i]! ? v.slice(0, widths[i]! - 1) + '…' : v.padEnd(widths[i]!))).join('  ').trimEnd() + '\n';
    process.stdout.write(cells.map(line).join(''));
  }
  if (!o.quiet) process.stderr.write(`${count(result.events, 'event')}, ${count(bad, 'bad record')}, ${count(rows.length, 'row')}\n`);
  if (unreadable > 0) return 2;
  return rows.length > 0 ? 1 : 0;
}
