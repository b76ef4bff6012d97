/**
 * Windows events as PowerShell exports them: `Get-WinEvent … | ConvertTo-Json` (a JSON array of
 * EventLogRecord objects; Windows PowerShell 5.1 writes it in UTF-16 with `>`, and its dates as
 * `/Date(ms)/`), or one object per line. An EventLogRecord names its header (`Id`, `LogName`,
 * `ProviderName`, `MachineName`, `RecordId`, `TimeCreated`, `ProcessId`, `UserId`, …) but not its
 * data: `Properties` is a list of `{ "Value": … }` in the provider's template order, and
 * `Message` the rendered text.
 *
 * EventData by name, as the other Windows readers give it:
 * - Sysmon: from `Message`, which Sysmon renders as `Title:` then one `Name: value` line per data
 *   item (the names of its manifest: Image, CommandLine, ParentImage, TargetFilename, …). A line
 *   without `Name: ` continues the value before it (a command line holding a newline).
 * - Security 4688: `Properties` by position, per the event's version (0: 8 items, 1: with
 *   CommandLine, 2: with the target user, ParentProcessName and MandatoryLabel); the Security
 *   mapping (windows-logsource.ts) then gives Image, ParentImage, ProcessId as from EVTX.
 * - anything else: the values as an anonymous `Data` list (as classic events are read), and
 *   `Message`.
 * A property value that is an object (a SID: `{ "Value": "S-1-5-18", … }`) gives its `Value`.
 */
import type { Fields, FieldValue, NormalizedEvent, Provenance } from '../events/event.js';
import { firstDocument, readDocuments, splitsDocuments } from './elastic-hits.js';
import { isObject, stringOf } from './json-util.js';
import type { SplittableReader } from './reader.js';
import { parseTime } from './time.js';
import { toEventId, windowsEvent } from './windows-logsource.js';

const FORMAT = 'powershell-winevent';

/** 4688's data items in template order; version 0 has the first 8, version 1 the first 9. */
const SECURITY_4688 = [
  'SubjectUserSid', 'SubjectUserName', 'SubjectDomainName', 'SubjectLogonId', 'NewProcessId', 'NewProcessName', 'TokenElevationType', 'ProcessId',
  'CommandLine', 'TargetUserSid', 'TargetUserName', 'TargetDomainName', 'TargetLogonId', 'ParentProcessName', 'MandatoryLabel',
];
const SYSMON_PROVIDER = 'Microsoft-Windows-Sysmon';
/** `Name: value`, Sysmon's rendering of one data item. */
const MESSAGE_ITEM = /^([A-Za-z][A-Za-z0-9]*): ?(.*)$/;

export const powershellWinEventReader: SplittableReader = {
  format: FORMAT,
  splittable: true,
  splitsInput: splitsDocuments,
  description: 'Windows events from PowerShell: Get-WinEvent | ConvertTo-Json (EventLogRecord: Id, LogName, ProviderName, Properties, Message)',
  sniff(head) {
    const first = firstDocument(head);
    if (first === undefined) return 0;
    const record = first.Id !== undefined && typeof first.ProviderName === 'string' && (first.LogName !== undefined || first.MachineName !== undefined);
    return record && (Array.isArray(first.Properties) || first.Message !== undefined || first.RecordId !== undefined) ? 0.85 : 0;
  },
  read: (input, ctx) => readDocuments(input, ctx, FORMAT, toEvent),
};

function toEvent(record: Fields, source: Provenance): NormalizedEvent | string {
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
  const time = parseTime(record.TimeCreated);
  if (time !== undefined) fields.TimeCreated_SystemTime = new Date(time).toISOString();
  const properties = Array.isArray(record.Properties) ? record.Properties.map(valueOf) : [];
  const message = typeof record.Message === 'string' ? record.Message : undefined;
  if (provider === SYSMON_PROVIDER && message !== undefined) Object.assign(fields, messageItems(message));
  else if (provider === 'Microsoft-Windows-Security-Auditing' && eventId === 4688) {
    properties.forEach((value, i) => {
      const name = SECURITY_4688[i];
      if (name !== undefined && value !== undefined) fields[name] = value;
    });
  } else if (properties.length > 0) {
    fields.Data = properties.map((v) => v ?? '');
  }
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

/** Sysmon's rendered message: its data items by name. */
export function messageItems(message: string): Fields {
  const items: Fields = {};
  let last: string | undefined;
  const lines = message.split(/\r?\n/);
  // The first line is the event's title (`Process Create:`), not an item.
  for (const line of lines.slice(1)) {
    const item = MESSAGE_ITEM.exec(line);
    if (item) {
      last = item[1]!;
      items[last] = item[2]!;
    } else if (last !== undefined) {
      items[last] = `${items[last] as string}\n${line}`;
    }
  }
  return items;
}
