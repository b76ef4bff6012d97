/**
 * Windows Event Viewer's "Save All Events As… → CSV (Comma Separated)": a header
 * `Level,Date and Time,Source,Event ID,Task Category` (English UI) and rows with a sixth cell the
 * header does not name, the event's rendered message. The file holds no channel, no data item
 * by name and no zone for its times, so what an event is comes from its message:
 *
 * - Sysmon (Source `Sysmon`, its display name, or `Microsoft-Windows-Sysmon`): the message is
 *   `Title:` then one `Name: value` line per data item (powershell-winevent.ts reads the same
 *   rendering), so the data items come back by name, and the time from its `UtcTime`.
 * - Security 4688 (Source `Microsoft Windows security auditing.` or
 *   `Microsoft-Windows-Security-Auditing`): the message's `New Process ID`, `New Process Name`,
 *   `Creator Process ID`, `Creator Process Name`, `Process Command Line` and `Token Elevation
 *   Type` lines give the data items of those names, which the Security mapping then reads as
 *   from EVTX (windows-logsource.ts).
 * - anything else: EventID, provider and `Message`; its logsource by provider where
 *   windows-logsource.ts knows it.
 * `Date and Time` is the exporting machine's local time in its locale (`11/27/2026 9:14:02 AM`):
 * no time is taken from it. Export with `wevtutil qe … /f:xml`, or save as `.evtx`, for whole events.
 */
import type { Readable } from 'node:stream';
import type { Fields, NormalizedEvent, Provenance } from '../events/event.js';
import { readCsvRows } from './csv-rows.js';
import { stringOf } from './json-util.js';
import { messageItems, security4688MessageItems } from './powershell-winevent.js';
import type { SourceReader } from './reader.js';
import { parseTime } from './time.js';
import { toEventId, windowsEvent } from './windows-logsource.js';

const FORMAT = 'eventviewer-csv';
const HEADER = 'Level,Date and Time,Source,Event ID,Task Category';
const SYSMON = 'Microsoft-Windows-Sysmon';
const SECURITY = 'Microsoft-Windows-Security-Auditing';
/** Event Viewer's Source column shows a provider's display name. */
const PROVIDERS: Record<string, string> = {
  sysmon: SYSMON,
  'microsoft-windows-sysmon': SYSMON,
  'microsoft windows security auditing.': SECURITY,
  'microsoft-windows-security-auditing': SECURITY,
};
const CHANNELS: Record<string, string> = { [SYSMON]: `${SYSMON}/Operational`, [SECURITY]: 'Security' };
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

function toEvent(row: Fields, source: Provenance): NormalizedEvent | string {
  const eventId = toEventId(row['Event ID']);
  const shown = stringOf(row.Source);
  if (eventId === undefined || shown === undefined) return 'not an Event Viewer row (no Source or Event ID)';
  const provider = PROVIDERS[shown.toLowerCase()] ?? shown;
  const message = stringOf(row.Message);
  const fields: Fields = { EventID: eventId, Provider_Name: provider };
  const channel = CHANNELS[provider];
  if (channel !== undefined) fields.Channel = channel;
  for (const key of ['Level', 'Task Category'] as const) if (row[key] !== undefined) fields[key.replace(' ', '')] = row[key]!;
  let time: number | undefined;
  if (message !== undefined && provider === SYSMON) {
    Object.assign(fields, messageItems(message));
    time = parseTime(fields.UtcTime);
  } else if (message !== undefined) {
    if (provider === SECURITY && eventId === 4688) Object.assign(fields, security4688MessageItems(message));
    fields.Message = message;
  }
  return windowsEvent(fields, { channel, provider, eventId }, undefined, time, source);
}
