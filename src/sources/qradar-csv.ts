/**
 * QRadar CSV export: a header row of AQL column names, then one event per record (RFC 4180:
 * quoted commas, doubled quotes and newlines inside quotes), parsed by csv-parse as a stream.
 *
 * CSV cannot tell NULL from '': an empty cell is taken as NULL, so the column is ABSENT from the
 * event (the same as a JSON null in qradar-json).
 */
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Fields, NormalizedEvent } from '../events/event.js';
import { BATCH_SIZE } from './ndjson.js';
import { hasQRadarColumns, qradarEvent } from './qradar-columns.js';
import type { ReadContext, SourceReader } from './reader.js';
import { parseTime } from './time.js';

const FORMAT = 'qradar-csv';

export const qradarCsvReader: SourceReader = {
  format: FORMAT,
  description: 'QRadar CSV export with a header row of AQL column names',
  sniff(head) {
    const header = head.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
    return header.includes(',') && hasQRadarColumns(header) ? 0.9 : 0;
  },
  read: readQRadarCsv,
};

/** What csv-parse hands on_record with `raw: true`. */
interface RawRecord {
  record: string[];
  raw: string;
}

async function* readQRadarCsv(input: Readable, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  const lines = new LineCounter();
  let header: string[] | undefined;
  let batch: NormalizedEvent[] = [];
  let full: NormalizedEvent[][] = [];
  const onRecord = (record: string[], raw: string) => {
    const line = lines.next(raw);
    if (header === undefined) {
      header = record;
      return;
    }
    const event = toEvent(header, record, line, ctx);
    if (event === undefined) return;
    batch.push(event);
    if (batch.length >= BATCH_SIZE) {
      full.push(batch);
      batch = [];
    }
  };
  // Records are taken in on_record/on_skip, which csv-parse calls synchronously and in input
  // order; nothing goes downstream. Line numbers are exact for well-formed records; after a
  // malformed quote csv-parse's recovery is murky, so the lines of the records it skips there
  // are best effort.
  const parser = parse({
    bom: true,
    raw: true,
    relax_column_count: true, // a short or long row is reported as one bad record in toEvent
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (value) => {
      const { record, raw } = value as unknown as RawRecord; // csv-parse's types ignore `raw: true`
      onRecord(record, raw);
      return null;
    },
    on_skip: (err, raw) => {
      const line = lines.next(raw ?? '');
      ctx.bad({ file: ctx.file, format: FORMAT, line, reason: `invalid CSV: ${err?.message ?? 'unparseable record'}` });
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
  if (fatal) {
    // Typically an unclosed quote, which swallows the rest of the file.
    ctx.bad({ file: ctx.file, format: FORMAT, line: lines.current, reason: `invalid CSV, rest of file skipped: ${(fatal as Error).message}` });
  }
  if (batch.length > 0) yield batch;
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

function toEvent(header: string[], record: string[], line: number, ctx: ReadContext): NormalizedEvent | undefined {
  const bad = (reason: string) => ctx.bad({ file: ctx.file, format: FORMAT, line, reason });
  if (record.length !== header.length) {
    bad(`${record.length} cells, header has ${header.length}`);
    return undefined;
  }
  const fields: Fields = {};
  for (let i = 0; i < header.length; i++) {
    if (record[i] !== '') fields[header[i]] = record[i];
  }
  const time = parseTime(fields.starttime);
  if (time === undefined) {
    bad('starttime is not epoch ms or yyyy-MM-dd HH:mm:ss');
    return undefined;
  }
  return qradarEvent(fields, time, { file: ctx.file, format: FORMAT, line });
}
