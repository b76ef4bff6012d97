/**
 * Eric Zimmerman's EvtxECmd output (KAPE's event log module; what Timeline Explorer opens), as
 * CSV (`--csv`) or JSON lines (`--json`). One row per event with the columns RecordNumber,
 * EventRecordId, TimeCreated, EventId, Level, Provider, Channel, ProcessId, ThreadId, Computer,
 * ChunkNumber, UserId, MapDescription, UserName, RemoteHost, PayloadData1…6, ExecutableInfo,
 * HiddenRecord, SourceFile, Keywords, ExtraDataOffset, Payload.
 *
 * What EvtxECmd writes, from its source (github.com/EricZimmerman/evtx: EvtxECmd/Program.cs,
 * evtx/EventRecord.cs) and published output (an EvtxECmd CSV of Security 4624 rows in sumeshi's
 * "Quilt" article; `--json` lines of Sysmon 17 and Security 4720/4732 in HTB Sherlock and CTF
 * write-ups):
 * - `Payload` is the event's EventData element, or UserData when it has none, with the xmlns
 *   attributes removed, as Newtonsoft's `JsonConvert.SerializeXmlNode` writes it: attributes as
 *   `@Name`, text as `#text`, `{"EventData":{"Data":[{"@Name":"Image","#text":"C:\\…"},…]}}`; one
 *   Data child is an object, not an array; an empty `<Data Name="X"/>` has no `#text` (its
 *   value is ''); anonymous Data items are plain strings; UserData is
 *   `{"UserData":{"<Element>":{"<Child>":"text",…}}}`.
 * - CSV: CsvHelper with the invariant culture (RFC 4180 quoting: a cell with a comma, quote,
 *   line break or leading/trailing space is quoted, quotes doubled), UTF-8 with a byte order
 *   mark, TimeCreated in UTC as `yyyy-MM-dd HH:mm:ss.fffffff` (the `--dt` default).
 * - JSON: ServiceStack's serializer, one object per line, null members left out (so the key set
 *   varies), numbers for EventId/ProcessId/ThreadId/ChunkNumber/RecordNumber, EventRecordId a
 *   string, TimeCreated ISO 8601 with its offset (`2023-09-07T12:06:55.0846666+00:00`).
 * - Level and Keywords are EvtxECmd's rendered names (`Info`, `LogAlways`, `Audit success`),
 *   not the EVTX numbers; they are kept as they are.
 *
 * Mapping: Payload's Data items by name (the Sysmon names as they are), then the System columns
 * under the names the EVTX readers give them (EventID, Channel, Provider_Name, Computer,
 * EventRecordID, Execution_ProcessID/ThreadID: EvtxECmd's ProcessId column is the logging
 * process, not Sysmon's ProcessId; Security_UserID), logsource and 4688's renames through
 * windows-logsource.ts, so an event gives the fields and category it gives read from the EVTX.
 * The other columns (MapDescription, PayloadData1…6, UserName, …) are kept by name where the
 * event data has no such field. A Payload that is not JSON is one bad record (with its line);
 * the row's columns still make an event, which keeps the Payload text.
 *
 * Splittable: the JSON form, one record per line. The CSV form is not: a quoted cell may hold
 * line breaks (a multi-line command line in ExecutableInfo, a script block in PayloadData), so
 * a range cannot know whether it starts inside a record, and a range has no header row.
 */
import type { Readable } from 'node:stream';
import { type Fields, type FieldValue, type NormalizedEvent, type Provenance, hasField, setField } from '../events/event.js';
import { headerNames, readCsvRows } from './csv-rows.js';
import { firstByte } from './first-byte.js';
import { flattenData } from './evtx-json.js';
import { firstJsonLine } from './json-head.js';
import { isObject, stringOf } from './json-util.js';
import { readNdjson } from './ndjson.js';
import type { ReadContext, ReusedChunks, SplittableReader } from './reader.js';
import { parseTime } from './time.js';
import { toEventId, windowsEvent } from './windows-logsource.js';

const FORMAT = 'evtxecmd';

/** Columns every EvtxECmd CSV header has that together no other format's has. */
const CSV_COLUMNS = ['TimeCreated', 'EventId', 'Provider', 'Channel', 'Computer', 'MapDescription', 'Payload'];

export const evtxEcmdReader: SplittableReader = {
  format: FORMAT,
  description: "Eric Zimmerman's EvtxECmd output, CSV or JSON lines (Payload's EventData as fields)",
  splittable: true,
  splitsInput: (head) => isJsonForm(head),
  sniff(head) {
    const text = head.replace(/^\uFEFF/, '');
    if (isJsonForm(text)) {
      const record = firstJsonLine(text);
      return record !== undefined && isEvtxEcmdRecord(record) ? 0.95 : 0;
    }
    const header = new Set(headerNames(text));
    return CSV_COLUMNS.every((name) => header.has(name)) ? 0.95 : 0;
  },
  read: readEvtxEcmd,
};

function isJsonForm(head: string): boolean {
  return /^\uFEFF?\s*\{/.test(head);
}

/** Every column of EvtxECmd's output: its JSON lines have no other members. */
const COLUMNS = new Set([
  'RecordNumber', 'EventRecordId', 'TimeCreated', 'EventId', 'Level', 'Provider', 'Channel', 'ProcessId', 'ThreadId',
  'Computer', 'ChunkNumber', 'UserId', 'MapDescription', 'UserName', 'RemoteHost', 'PayloadData1', 'PayloadData2',
  'PayloadData3', 'PayloadData4', 'PayloadData5', 'PayloadData6', 'ExecutableInfo', 'HiddenRecord', 'SourceFile',
  'Keywords', 'ExtraDataOffset', 'Payload',
]);
const OWN_COLUMNS = /^(PayloadData[1-6]|MapDescription|ChunkNumber|ExtraDataOffset|HiddenRecord)$/;

/**
 * A JSON line of EvtxECmd: only its column names, one of them EvtxECmd's own (PayloadDataN,
 * MapDescription, ChunkNumber, …). A head that cuts the first line inside a long value (a
 * command line in PayloadData6 or ExecutableInfo, the Payload) shows only the members before
 * it, which EvtxECmd writes first: PayloadData1…6, UserName, ExecutableInfo, MapDescription.
 */
function isEvtxEcmdRecord(record: Record<string, unknown>): boolean {
  const names = Object.keys(record);
  return names.some((name) => OWN_COLUMNS.test(name)) && names.every((name) => COLUMNS.has(name));
}

async function* readEvtxEcmd(input: Readable | ReusedChunks, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  // `{` is JSON lines, anything else CSV.
  const { first, replay } = await firstByte(input);
  const toEvent = (row: Fields, source: Provenance) => rowEvent(row, source, ctx);
  if (first === 0x7b) yield* readNdjson(replay, ctx, FORMAT, toEvent);
  else yield* readCsvRows(replay, ctx, FORMAT, toEvent);
}

/** Columns that become the System fields below (the rest are kept under their own names). */
const SYSTEM_COLUMNS = new Set(['EventId', 'Channel', 'Provider', 'Computer', 'EventRecordId', 'ProcessId', 'ThreadId', 'UserId', 'Payload']);

/** One row of either form (CSV cells are strings, JSON members typed) → the event. */
function rowEvent(row: Fields, source: Provenance, ctx: ReadContext): NormalizedEvent | string {
  if (row.EventId === undefined && row.Channel === undefined && row.Provider === undefined) {
    return 'not an EvtxECmd row (no EventId, Channel or Provider)';
  }
  const eventId = toEventId(row.EventId);
  const fields: Fields = {};
  setPresent(fields, 'EventID', eventId ?? row.EventId);
  setPresent(fields, 'Channel', row.Channel);
  setPresent(fields, 'Provider_Name', row.Provider);
  setPresent(fields, 'Computer', row.Computer);
  setPresent(fields, 'EventRecordID', numberOrText(row.EventRecordId));
  setPresent(fields, 'Execution_ProcessID', numberOrText(row.ProcessId));
  setPresent(fields, 'Execution_ThreadID', numberOrText(row.ThreadId));
  setPresent(fields, 'Security_UserID', row.UserId);
  const payload = row.Payload;
  if (typeof payload === 'string' && payload !== '') {
    const data = payloadFields(payload);
    if (typeof data === 'string') {
      ctx.bad({ ...source, reason: data });
      fields.Payload = payload;
    } else for (const [key, value] of Object.entries(data)) setField(fields, key, value); // the event's own data wins, as in the EVTX readers
  }
  for (const name in row) {
    if (!SYSTEM_COLUMNS.has(name) && !hasField(fields, name)) setField(fields, name, row[name]!);
  }
  const id = { channel: stringOf(row.Channel), provider: stringOf(row.Provider), eventId };
  return windowsEvent(fields, id, stringOf(row.Computer), timeOf(row.TimeCreated), source);
}

function setPresent(fields: Fields, name: string, value: FieldValue | undefined): void {
  if (value !== undefined && value !== null && value !== '') fields[name] = value;
}

/** A CSV cell of digits as the number the EVTX readers give (EventRecordID, ProcessID). */
function numberOrText(value: FieldValue | undefined): FieldValue | undefined {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
}

/**
 * Year-first times only: a custom `--dt` such as `MM/dd/yyyy` would be read by Date.parse in the
 * machine's time zone, or day and month swapped; such a row gets no time rather than a wrong one.
 */
const YEAR_FIRST = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/;

function timeOf(value: FieldValue | undefined): number | undefined {
  return typeof value === 'string' && YEAR_FIRST.test(value) ? parseTime(value) : undefined;
}

/** Payload's EventData (or UserData element) as fields, or the reason it cannot be read. */
function payloadFields(text: string): Fields | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return `Payload is not valid JSON: ${(err as Error).message}`;
  }
  if (!isObject(parsed)) return 'Payload is not a JSON object';
  const fields: Fields = {};
  flattenData(parsed, fields);
  return fields;
}
