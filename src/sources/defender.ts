/**
 * Microsoft Defender for Endpoint Advanced Hunting results, as the portal exports them (CSV with
 * a header of column names) and as the APIs return them (JSON): `{"Schema": […], "Results": […]}`
 * (Defender API `advancedhunting/run`), `{"schema", "results"}` (Graph `runHuntingQuery`),
 * `{"records": [{"category": "AdvancedHunting-<Table>", "properties": {…}}]}` (streaming API /
 * Event Hub), a bare JSON array of rows, or one row per line (NDJSON, e.g. Sentinel exports with
 * `Type`). Streamed: csv-parse for CSV, json-records.ts for the JSON documents (a row with a
 * syntax error is reported with its line and the rows around it are read).
 *
 * Which table a row comes from decides its category and mapping (`defender-mapping.ts`): an
 * explicit column (`$table`, `Table`, `Type`, Event Hub `category`), else the file name
 * (`DeviceNetworkEvents.csv`, `…DeviceFileEvents…json`), else the row's ActionType, else its
 * columns. Empty strings (Kusto has no null strings) and JSON nulls are absent. Time from
 * `Timestamp` (or `TimeGenerated`, Event Hub `time`), host from `DeviceName`.
 */
import { basename } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Fields, NormalizedEvent, Provenance } from '../events/event.js';
import { parseRecords } from './json-records.js';
import { mapDefenderRow, tableIn, tableOf, type DefenderTable } from './defender-mapping.js';
import { isObject, stringOf } from './json-util.js';
import { firstJsonLine } from './json-head.js';
import { BATCH_SIZE, readNdjson } from './ndjson.js';
import { peek, SNIFF_BYTES } from './peek.js';
import type { ReadContext, SourceReader } from './reader.js';
import { firstTime } from './time.js';

const FORMAT = 'defender';
export const TIME_KEYS = ['Timestamp', 'TimeGenerated', 'time'] as const;
const WRAPPER_ARRAYS = /^(Results|results|records|value)$/;

export const defenderReader: SourceReader = {
  format: FORMAT,
  description: 'Microsoft Defender Advanced Hunting export (portal CSV, API/Graph/Event Hub JSON, NDJSON): Device*Events',
  sniff(head) {
    const text = head.replace(/^\uFEFF/, '');
    const first = text.split(/\r?\n/, 1)[0]!;
    const defenderColumns = (s: string) => s.includes('DeviceName') && (s.includes('ActionType') || s.includes('InitiatingProcess'));
    if (!first.trimStart().startsWith('{') && !first.trimStart().startsWith('[')) {
      return first.includes(',') && /(^|,)"?(Timestamp|TimeGenerated)"?(,|$)/.test(first) && defenderColumns(first) ? 0.9 : 0;
    }
    return /^\s*[[{]/.test(text) && defenderColumns(text) ? 0.85 : 0;
  },
  read: readDefender,
};

async function* readDefender(input: Readable, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  const hint = tableIn(basename(ctx.file));
  const { head: headBytes, replay } = await peek(input, SNIFF_BYTES);
  const head = headBytes.toString('utf8');
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('[')) yield* readJsonArray(replay, ctx, hint, undefined);
  else if (text.startsWith('{')) {
    const first = firstJsonLine(text);
    // One row per line, unless the first line is (the start of) a wrapper object.
    const isRow = first !== undefined && !Object.keys(first).some((k) => WRAPPER_ARRAYS.test(k));
    if (isRow) yield* readNdjson(replay, ctx, FORMAT, (row, source) => toEvent(row, hint, source));
    else yield* readJsonArray(replay, ctx, hint, WRAPPER_ARRAYS);
  } else yield* readCsv(replay, ctx, hint);
}

function toEvent(raw: Fields, hint: DefenderTable | undefined, source: Provenance): NormalizedEvent | string {
  let row = raw;
  // Event Hub / streaming API: {"time", "category": "AdvancedHunting-<Table>", "properties": {…}}.
  if (isObject(raw.properties) && typeof raw.category === 'string') {
    row = { ...raw.properties };
    if (row.category === undefined) row.category = raw.category;
    if (row.Timestamp === undefined && raw.time !== undefined) row.Timestamp = raw.time;
  }
  for (const key in row) if (row[key] === null || row[key] === '') delete row[key];
  if (row.DeviceName === undefined && row.ActionType === undefined && row.Timestamp === undefined) {
    return 'not a Defender row (no DeviceName, ActionType or Timestamp)';
  }
  const logSource = mapDefenderRow(row, tableOf(row, hint));
  const event: NormalizedEvent = { fields: row, source, ...logSource };
  const time = firstTime(row, TIME_KEYS);
  if (time !== undefined) event.time = time;
  const host = stringOf(row.DeviceName);
  if (host !== undefined) event.host = host;
  const user = stringOf(row.User);
  if (user !== undefined) event.user = user;
  return event;
}

async function* readJsonArray(input: Readable, ctx: ReadContext, hint: DefenderTable | undefined, wrapper: RegExp | undefined): AsyncGenerator<NormalizedEvent[]> {
  const options = { member: wrapper, describe: wrapper === undefined ? 'row' : 'Results/results/records/value' };
  let batch: NormalizedEvent[] = [];
  for await (const records of parseRecords(input, ctx, FORMAT, options)) {
    for (const { value, line, record } of records) {
      // Rows keep their index as provenance (as before); a bad one is also named by its line.
      const source: Provenance = { file: ctx.file, format: FORMAT, record };
      const event = isObject(value) ? toEvent(value, hint, source) : 'row is not a JSON object';
      if (typeof event === 'string') {
        ctx.bad({ ...source, line, reason: event });
        continue;
      }
      batch.push(event);
      if (batch.length >= BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

async function* readCsv(input: Readable, ctx: ReadContext, hint: DefenderTable | undefined): AsyncGenerator<NormalizedEvent[]> {
  let line = 1; // where the next raw record begins
  const parser = parse({
    bom: true,
    raw: true,
    relax_column_count: true, // a short or long row is one bad record below
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err, raw) => {
      ctx.bad({ file: ctx.file, format: FORMAT, line: advance(raw ?? ''), reason: `invalid CSV: ${err?.message ?? 'unparseable record'}` });
      return undefined;
    },
  });
  /** The first line of a raw record (after the blank lines it carries), moving past it. */
  const advance = (raw: string): number => {
    const start = line + newlines(/^(\r?\n)*/.exec(raw)![0]);
    line += newlines(raw) + (raw.endsWith('\n') ? 0 : 1);
    return start;
  };
  pipeline(input, parser, () => {});
  let header: string[] | undefined;
  let batch: NormalizedEvent[] = [];
  try {
    for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      const at = advance(raw);
      if (header === undefined) {
        header = record;
        continue;
      }
      const source: Provenance = { file: ctx.file, format: FORMAT, line: at };
      if (record.length !== header.length) {
        ctx.bad({ ...source, reason: `${record.length} cells, header has ${header.length}` });
        continue;
      }
      const row: Fields = {};
      for (let i = 0; i < header.length; i++) row[header[i]!] = record[i]!;
      const event = toEvent(row, hint, source);
      if (typeof event === 'string') {
        ctx.bad({ ...source, reason: event });
        continue;
      }
      batch.push(event);
      if (batch.length >= BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
  } catch (err) {
    // Typically an unclosed quote, which swallows the rest of the file.
    ctx.bad({ file: ctx.file, format: FORMAT, line, reason: `invalid CSV, rest of file skipped: ${(err as Error).message}` });
  }
  if (batch.length > 0) yield batch;
}

function newlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
