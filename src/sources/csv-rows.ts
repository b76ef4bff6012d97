/**
 * The loop of a CSV reader with a header row: csv-parse (RFC 4180: quoted commas, doubled quotes
 * and newlines inside quotes) as a stream, each record turned into a row keyed by the header and
 * handed to the reader's mapper with the line it starts on. Used by qradar-csv, evtxecmd, eventviewer-csv and csv-events.
 *
 * CSV cannot tell NULL from '': an empty cell is absent from the row.
 */
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { type Fields, type NormalizedEvent, type Provenance, setField } from '../events/event.js';
import { EventBatches } from './event-batches.js';
import type { ReadContext } from './reader.js';

/** Turns one row (header name → non-empty cell) into an event, or a bad-record reason. */
export type CsvRowMapper = (row: Fields, source: Provenance) => NormalizedEvent | string;

/** What csv-parse hands on_record with `raw: true`. */
interface RawRecord {
  record: string[];
  raw: string;
}

/**
 * `onHeader`: the header row as csv-parse read it (quoted names with commas included), before the
 * first row; it may return the names to key the rows by instead (a header that leaves a column
 * unnamed), or null for a line before the header (PowerShell's `#TYPE …`): the next one is.
 */
export async function* readCsvRows(
  input: AsyncIterable<Buffer | string>,
  ctx: ReadContext,
  format: string,
  toEvent: CsvRowMapper,
  onHeader?: (header: readonly string[]) => readonly string[] | null | void,
): AsyncGenerator<NormalizedEvent[]> {
  const lines = new LineCounter();
  const { file } = ctx;
  let header: readonly string[] | undefined;
  const batches = new EventBatches(ctx);
  let full: NormalizedEvent[][] = [];
  const onRecord = (record: string[], raw: string) => {
    const line = lines.next(raw);
    if (header === undefined) {
      const named = onHeader?.(record);
      if (named !== null) header = named ?? record;
      return;
    }
    const source: Provenance = { file, format, line };
    let outcome: NormalizedEvent | string;
    if (record.length !== header.length) outcome = `${record.length} cells, header has ${header.length}`;
    else {
      const row: Fields = {};
      for (let i = 0; i < header.length; i++) if (record[i] !== '') setField(row, header[i]!, record[i]!);
      outcome = toEvent(row, source);
    }
    const done = batches.add(outcome, source);
    if (done) full.push(done);
  };
  // Records are taken in on_record/on_skip, which csv-parse calls synchronously and in input
  // order; nothing goes downstream. Line numbers are exact for well-formed records; after a
  // malformed quote csv-parse's recovery is murky, so the lines of the records it skips there
  // are best effort.
  const parser = parse({
    bom: true,
    raw: true,
    relax_column_count: true, // a short or long row is reported as one bad record in onRecord
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (value) => {
      const { record, raw } = value as unknown as RawRecord; // csv-parse's types ignore `raw: true`
      onRecord(record, raw);
      return null;
    },
    on_skip: (err, raw) => {
      ctx.bad({ file, format, line: lines.next(raw ?? ''), reason: `invalid CSV: ${err?.message ?? 'unparseable record'}` });
      return undefined;
    },
  });
  let fatal: Error | undefined;
  parser.on('error', (err: Error) => (fatal = err));
  parser.resume();
  const ended = once(parser, 'end').catch(() => undefined);
  for await (const chunk of input) {
    parser.write(chunk);
    yield* full;
    full = [];
    if (fatal) break;
  }
  if (!fatal) {
    parser.end();
    await ended;
  }
  yield* full;
  // Typically an unclosed quote, which swallows the rest of the file.
  if (fatal) ctx.bad({ file, format, line: lines.current, reason: `invalid CSV, rest of file skipped: ${(fatal as Error).message}` });
  const rest = batches.rest();
  if (rest) yield rest;
}

/**
 * Line numbers from each record's raw text. csv-parse's own info.lines counts a CRLF inside a
 * quoted cell as two lines, so it cannot be used. A raw record holds the blank lines before
 * it, the record, and all or part of its delimiter (`\n`, or only the `\r` of `\r\n`).
 */
class LineCounter {
  /** The line the next raw record begins on. */
  current = 1;

  /** Returns the first line of the record in `raw` and advances past it. */
  next(raw: string): number {
    const leading = /^(\r?\n)*/.exec(raw)![0];
    const start = this.current + countNewlines(leading);
    this.current += countNewlines(raw) + (raw.endsWith('\n') ? 0 : 1);
    return start;
  }
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/**
 * The names of a sniffed head's header row: its first line, or the line after a `preamble` line
 * (PowerShell's `#TYPE …`), BOM and quotes removed; undefined when that line is no CSV header (no
 * comma, or JSON or XML). For sniffers only: a quoted name holding a comma is cut there.
 */
export function headerNames(head: string, preamble?: RegExp): string[] | undefined {
  const lines = head.replace(/^\uFEFF/, '').split(/\r?\n/, 2);
  const first = preamble?.test(lines[0]!) ? (lines[1] ?? '') : lines[0]!;
  if (!first.includes(',') || /^\s*[[{<]/.test(first)) return undefined;
  return first.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
}
