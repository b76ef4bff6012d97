/**
 * Windows Event Viewer's "Save All Events As… → CSV (Comma Separated)": a header
 * `Level,Date and Time,Source,Event ID,Task Category` (English UI) and rows with a sixth cell the
 * header does not name, the event's rendered message. The file holds no channel, no computer,
 * no data item by name and no zone for its times: a row is read as the EventLogRecord it shows,
 * without Properties (powershell-winevent.ts `eventLogRecordEvent`, as Export-Csv's rows are),
 * so Sysmon's data items come from its message by name with the time of its `UtcTime`, 4688's
 * from its subject and process lines, anything else keeps its `Message`. The Source column's
 * display names (`Sysmon`, `Microsoft Windows security auditing.`) are named back to their
 * providers, and those two providers' channels filled in.
 * `Date and Time` is the exporting machine's local time in its locale (`11/27/2026 9:14:02 AM`):
 * no time is taken from it. Export with `wevtutil qe … /f:xml`, or save as `.evtx`, for whole events.
 */
import type { Readable } from 'node:stream';
import type { Fields, NormalizedEvent, Provenance } from '../events/event.js';
import { readCsvRows } from './csv-rows.js';
import { stringOf } from './json-util.js';
import { eventLogRecordEvent } from './powershell-winevent.js';
import type { SourceReader } from './reader.js';
import { SECURITY_PROVIDER, SYSMON_CHANNEL, SYSMON_PROVIDER, toEventId } from './windows-logsource.js';
import { ownEntry } from '../own-entry.js';

const FORMAT = 'eventviewer-csv';
const HEADER = 'Level,Date and Time,Source,Event ID,Task Category';
/** Event Viewer's Source column shows a provider's display name. */
const PROVIDERS: Record<string, string> = {
  sysmon: SYSMON_PROVIDER,
  [SYSMON_PROVIDER.toLowerCase()]: SYSMON_PROVIDER,
  'microsoft windows security auditing.': SECURITY_PROVIDER,
  [SECURITY_PROVIDER.toLowerCase()]: SECURITY_PROVIDER,
};
const CHANNELS: Record<string, string> = { [SYSMON_PROVIDER]: SYSMON_CHANNEL, [SECURITY_PROVIDER]: 'Security' };

export const eventViewerCsvReader: SourceReader = {
  format: FORMAT,
  splittable: false,
  description: "Windows Event Viewer's Save All Events As CSV (Level, Date and Time, Source, Event ID, Task Category, and the message)",
  sniff(head) {
    const text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
    return text.startsWith(HEADER) && (text[HEADER.length] === '\r' || text[HEADER.length] === '\n') ? 0.95 : 0;
  },
  read: (input: Readable, ctx) => readCsvRows(input, ctx, FORMAT, toEvent, (header) => (header.length === 5 ? [...header, 'Message'] : header)),
};

/** A row is an EventLogRecord rendered without its Properties, TimeCreated or MachineName: read as one. */
function toEvent(row: Fields, source: Provenance): NormalizedEvent | string {
  const shown = stringOf(row.Source);
  if (toEventId(row['Event ID']) === undefined || shown === undefined) return 'not an Event Viewer row (no Source or Event ID)';
  const provider = ownEntry(PROVIDERS, shown.toLowerCase()) ?? shown;
  const record: Fields = { Id: row['Event ID'], ProviderName: provider, LogName: ownEntry(CHANNELS, provider) ?? null, Level: row.Level, Message: row.Message };
  const event = eventLogRecordEvent(record, source);
  if (typeof event !== 'string' && row['Task Category'] !== undefined) event.fields.TaskCategory = row['Task Category'];
  return event;
}
