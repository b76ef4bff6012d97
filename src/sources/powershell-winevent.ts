/**
 * Windows events as PowerShell exports them: `Get-WinEvent … | ConvertTo-Json` (a JSON array of
 * EventLogRecord objects; Windows PowerShell 5.1 writes it in UTF-16 with `>`, and its dates as
 * `/Date(ms)/`), or one object per line; or `Get-WinEvent … | Export-Csv` (the same properties as
 * columns, every value quoted, after a `#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord`
 * line in Windows PowerShell 5.1; `Properties` only as its type name, `TimeCreated` in the
 * exporting machine's local time and locale, so taken only when ISO 8601, and Sysmon's time from
 * its `UtcTime`). An EventLogRecord names its header (`Id`, `LogName`,
 * `ProviderName`, `MachineName`, `RecordId`, `TimeCreated`, `ProcessId`, `UserId`, …) but not its
 * data: `Properties` is a list of `{ "Value": … }` in the provider's template order, and
 * `Message` the rendered text.
 *
 * EventData by name, as the other Windows readers give it:
 * - Security 4688: `Properties` by position, per the event's version (0: 8 items, 1: with
 *   CommandLine, 2: with the target user, ParentProcessName and MandatoryLabel); the Security
 *   mapping (windows-logsource.ts) then gives Image, ParentImage, ProcessId as from EVTX.
 * - anything else: the values as an anonymous `Data` list (as classic events are read), and
 *   `Message`.
 * - and the items the rendered message shows by name (windows-message.ts): all of Sysmon's (whose
 *   `Message` is then not kept), Security's by section and label (4688's process lines when
 *   `Properties` are missing: CSV), 7045's and 4104's.
 * A property value that is an object (a SID: `{ "Value": "S-1-5-18", … }`) gives its `Value`.
 */
import type { Fields, FieldValue, NormalizedEvent, Provenance } from '../events/event.js';
import { Readable } from 'node:stream';
import { headerNames, readCsvRows } from './csv-rows.js';
import { firstDocument, readDocuments, splitsDocuments } from './elastic-hits.js';
import { firstByte } from './first-byte.js';
import { isObject, stringOf } from './json-util.js';
import type { ReadContext, ReusedChunks, SplittableReader } from './reader.js';
import { parseTime } from './time.js';
import { SECURITY_PROVIDER, SYSMON_PROVIDER, toEventId, windowsEvent } from './windows-logsource.js';
import { messageItems } from './windows-message.js';

const FORMAT = 'powershell-winevent';

/** 4688's data items in template order; version 0 has the first 8, version 1 the first 9. */
const SECURITY_4688 = [
  'SubjectUserSid', 'SubjectUserName', 'SubjectDomainName', 'SubjectLogonId', 'NewProcessId', 'NewProcessName', 'TokenElevationType', 'ProcessId',
  'CommandLine', 'TargetUserSid', 'TargetUserName', 'TargetDomainName', 'TargetLogonId', 'ParentProcessName', 'MandatoryLabel',
];
/** Windows PowerShell 5.1's Export-Csv line before the header (without -NoTypeInformation). */
const CSV_TYPE_LINE = /^#TYPE /;

export const powershellWinEventReader: SplittableReader = {
  format: FORMAT,
  splittable: true,
  splitsInput: (head) => !isCsv(head) && splitsDocuments(head),
  description: 'Windows events from PowerShell: Get-WinEvent | ConvertTo-Json or | Export-Csv (EventLogRecord: Id, LogName, ProviderName, Properties, Message)',
  sniff(head) {
    if (isCsv(head)) {
      const names = new Set(headerNames(head, CSV_TYPE_LINE));
      return names.has('Id') && isRecordShape(names) ? 0.85 : 0;
    }
    const first = firstDocument(head);
    if (first === undefined) return 0;
    const record = first.Id !== undefined && typeof first.ProviderName === 'string' && (first.LogName !== undefined || first.MachineName !== undefined);
    return record && (Array.isArray(first.Properties) || first.Message !== undefined || first.RecordId !== undefined) ? 0.85 : 0;
  },
  read: readPowerShell,
};

/** A CSV export: anything but JSON's `[` or `{` first. */
function isCsv(head: string): boolean {
  return !/^\uFEFF?\s*[[{]/.test(head);
}

/** EventLogRecord's columns: ProviderName, LogName or MachineName, and Message or RecordId. */
function isRecordShape(names: Set<string>): boolean {
  return names.has('ProviderName') && (names.has('LogName') || names.has('MachineName')) && (names.has('Message') || names.has('RecordId'));
}

async function* readPowerShell(input: Readable | ReusedChunks, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  const { first, replay } = await firstByte(input);
  if (first === 0x5b || first === 0x7b) return yield* readDocuments(Readable.from(replay), ctx, FORMAT, eventLogRecordEvent);
  yield* readCsvRows(replay, ctx, FORMAT, csvRowEvent, (cells) => (cells.length === 1 && CSV_TYPE_LINE.test(cells[0]!) ? null : undefined));
}

/** An Export-Csv row as the record it was: a TimeCreated in the machine's locale is no time. */
function csvRowEvent(row: Fields, source: Provenance): NormalizedEvent | string {
  if (typeof row.TimeCreated === 'string' && !/^\d{4}-\d{2}-\d{2}T/.test(row.TimeCreated)) delete row.TimeCreated;
  return eventLogRecordEvent(row, source);
}

/**
 * An EventLogRecord's properties (Id, ProviderName, LogName, MachineName, TimeCreated, Properties,
 * Message, …) as an event; also what Event Viewer's CSV rows are read as (eventviewer-csv.ts).
 */
export function eventLogRecordEvent(record: Fields, source: Provenance): NormalizedEvent | string {
  const eventId = toEventId(record.Id);
  const provider = stringOf(record.ProviderName);
  if (eventId === undefined || provider === undefined) return 'not a Get-WinEvent record (no Id or ProviderName)';
  const fields: Fields = {
    EventID: eventId,
    Provider_Name: provider,
  };
  const header: Array<[string, unknown]> = [
    ['Channel', record.LogName], ['Computer', record.MachineName], ['EventRecordID', record.RecordId], ['Version', record.Version],
    ['Level', record.Level], ['Task', record.Task], ['Opcode', record.Opcode], ['Keywords', record.Keywords],
    ['Execution_ProcessID', record.ProcessId], ['Execution_ThreadID', record.ThreadId], ['Security_UserID', valueOf(record.UserId)],
  ];
  for (const [name, value] of header) if (value !== undefined && value !== null) fields[name] = value as FieldValue;
  let time = parseTime(record.TimeCreated);
  if (time !== undefined) fields.TimeCreated_SystemTime = new Date(time).toISOString();
  const properties = Array.isArray(record.Properties) ? record.Properties.map(valueOf) : [];
  const message = typeof record.Message === 'string' ? record.Message : undefined;
  if (provider === SECURITY_PROVIDER && eventId === 4688 && properties.length > 0) {
    properties.forEach((value, i) => {
      const name = SECURITY_4688[i];
      if (name !== undefined && value !== undefined) fields[name] = value;
    });
  } else if (properties.length > 0 && !(provider === SYSMON_PROVIDER && message !== undefined)) {
    fields.Data = properties.map((v) => v ?? '');
  }
  // The items the message shows by name (Sysmon's all of them; Security's by label), beside the
  // anonymous Data list of other events' Properties.
  if (message !== undefined) messageItems(provider, eventId, message, fields);
  // No TimeCreated (Export-Csv's, in a local time, is dropped): Sysmon's own UTC time.
  if (provider === SYSMON_PROVIDER && record.TimeCreated === undefined) time = parseTime(fields.UtcTime);
  if (message !== undefined && provider !== SYSMON_PROVIDER) fields.Message = message;
  return windowsEvent(fields, { channel: stringOf(fields.Channel), provider, eventId }, stringOf(fields.Computer), time, source);
}

/** A property's value: the value itself, or an object's `Value` (a SecurityIdentifier, a Guid's text). */
function valueOf(value: unknown): FieldValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (isObject(value)) return valueOf(value.Value);
  if (Array.isArray(value)) return undefined;
  return value as FieldValue;
}
