/**
 * Microsoft Defender for Endpoint Advanced Hunting results, as the portal exports them (CSV with
 * a header of column names) and as the APIs return them (JSON): `{"Schema": […], "Results": […]}`
 * (Defender API `advancedhunting/run`), `{"schema", "results"}` (Graph `runHuntingQuery`),
 * `{"records": [{"category": "AdvancedHunting-<Table>", "properties": {…}}]}` (streaming API /
 * Event Hub), a bare JSON array of rows, or one row per line (NDJSON, e.g. Sentinel exports with
 * `Type`). Streamed: csv-parse for CSV, json-records.ts for the JSON documents (a row with a
 * syntax error is reported with its line and the rows around it are read).
 *
 * Also the device timeline's CSV export (Assets → Devices → a device → Timeline → Export): the
 * same columns, named with spaces (`Event Time`, `Computer Name`, `Action Type`, `Initiating
 * Process File Name`, …), read under the Advanced Hunting names (`Timestamp`, `DeviceName`,
 * `ActionType`, `InitiatingProcessFileName`, …); its `Event Time` is UTC without a zone.
 *
 * Which table a row comes from decides its category and mapping (`defender-mapping.ts`): an
 * explicit column (`$table`, `Table`, `Type`, Event Hub `category`), else the file name
 * (`DeviceNetworkEvents.csv`, `…DeviceFileEvents…json`), else the row's ActionType, else its
 * columns. Empty strings (Kusto has no null strings) and JSON nulls are absent. Time from
 * `Timestamp` (or `TimeGenerated`, Event Hub `time`), host from `DeviceName`.
 */
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { Fields, NormalizedEvent, Provenance } from '../events/event.js';
import { ownEntry } from '../own-entry.js';
import { parseRecords } from './json-records.js';
import { mapDefenderRow, tableIn, tableOf, type DefenderTable } from './defender-mapping.js';
import { isObject, stringOf } from './json-util.js';
import { firstJsonLine } from './json-head.js';
import { readCsvRows } from './csv-rows.js';
import { EventBatches } from './event-batches.js';
import { readNdjson } from './ndjson.js';
import { peek, SNIFF_BYTES } from './peek.js';
import type { ReadContext, SourceReader } from './reader.js';
import { firstTime } from './time.js';

const FORMAT = 'defender';
export const TIME_KEYS = ['Timestamp', 'TimeGenerated', 'time'] as const;
const WRAPPER_ARRAYS = /^(Results|results|records|value)$/;

export const defenderReader: SourceReader = {
  format: FORMAT,
  description: 'Microsoft Defender Advanced Hunting export (portal CSV, API/Graph/Event Hub JSON, NDJSON): Device*Events; the device timeline CSV',
  sniff(head) {
    const text = head.replace(/^\uFEFF/, '');
    const first = text.split(/\r?\n/, 1)[0]!;
    const defenderColumns = (s: string) => s.includes('DeviceName') && (s.includes('ActionType') || s.includes('InitiatingProcess'));
    if (!first.trimStart().startsWith('{') && !first.trimStart().startsWith('[')) {
      if (isTimelineHeader(first.split(',').map((c) => c.trim().replace(/^"|"$/g, '')))) return 0.9;
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
  } else {
    // The timeline's columns are renamed once, in the header the rows are keyed by.
    yield* readCsvRows(replay, ctx, FORMAT, (row, source) => toEvent(row, hint, source), (header) => (isTimelineHeader(header) ? header.map(huntingName) : undefined));
  }
}

/** The device timeline export's header: `Event Time`, `Action Type`, and the device's id or name. */
function isTimelineHeader(columns: readonly string[]): boolean {
  return columns.includes('Event Time') && columns.includes('Action Type') && (columns.includes('Computer Name') || columns.includes('Machine Id'));
}

/** Timeline columns whose Advanced Hunting names are not theirs without the spaces. */
const TIMELINE_NAMES: Record<string, string> = {
  'Event Time': 'Timestamp',
  'Machine Id': 'DeviceId',
  'Computer Name': 'DeviceName',
  Sha1: 'SHA1',
  Sha256: 'SHA256',
};

/** A timeline column's Advanced Hunting name (`Initiating Process File Name` → `InitiatingProcessFileName`). */
function huntingName(column: string): string {
  return ownEntry(TIMELINE_NAMES, column) ?? column.replaceAll(' ', '');
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
  const batches = new EventBatches(ctx);
  for await (const records of parseRecords(input, ctx, FORMAT, options)) {
    for (const { value, line, record } of records) {
      // Rows keep their index as provenance (as before); a bad one is also named by its line.
      const source: Provenance = { file: ctx.file, format: FORMAT, record };
      const full = batches.add(isObject(value) ? toEvent(value, hint, source) : 'row is not a JSON object', { ...source, line });
      if (full) yield full;
    }
  }
  const rest = batches.rest();
  if (rest) yield rest;
}

