/**
 * Microsoft Defender for Endpoint Advanced Hunting results, as the portal exports them (CSV with
 * a header of column names) and as the APIs return them (JSON): `{"Schema": […], "Results": […]}`
 * (Defender API `advancedhunting/run`), `{"schema", "results"}` (Graph `runHuntingQuery`),
 * `{"records": [{"category": "AdvancedHunting-<Table>", "properties": {…}}]}` (streaming API /
 * Event Hub), a bare JSON array of rows, or one row per line (NDJSON, e.g. Sentinel exports with
 * `Type`). Streamed: csv-parse for CSV, stream-json for the JSON documents.
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
import pick from 'stream-json/filters/pick.js';
import streamArray from 'stream-json/streamers/stream-array.js';
import type { Fields, NormalizedEvent, Provenance } from '../events/event.js';
import { mapDefenderRow, tableIn, tableOf, type DefenderTable } from './defender-mapping.js';
import { isObject, stringOf } from './json-util.js';
import { BATCH_SIZE, firstJsonLine, readNdjson } from './ndjson.js';
import { peek, SNIFF_BYTES } from './peek.js';
import type { ReadContext, SourceReader } from './reader.js';
import { firstTime } from './time.js';

const FORMAT = 'defender';
const TIME_KEYS = ['Timestamp', 'TimeGenerated', 'time'] as const;
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
  const stages = wrapper === undefined
    ? [input, streamArray.withParserAsStream()]
    : [input, pick.withParserAsStream({ filter: wrapper }), streamArray.asStream()];
  // pipeline() forwards errors from every stage to the last one, so the loop below sees them.
  pipeline(stages as unknown as [Readable, NodeJS.WritableStream], () => {});
  const out = stages[stages.length - 1] as unknown as AsyncIterable<{ key: number; value: unknown }>;
  let batch: NormalizedEvent[] = [];
  let next = 0;
  try {
    for await (const { key, value } of out) {
      next = key + 1;
      const source: Provenance = { file: ctx.file, format: FORMAT, record: key };
      const event = isObject(value) ? toEvent(value, hint, source) : 'row is not a JSON object';
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
    // A syntax error inside one JSON document cannot be skipped reliably: report and stop.
    ctx.bad({ file: ctx.file, format: FORMAT, record: next, reason: `invalid JSON, rest of file skipped: ${(err as Error).message}` });
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
