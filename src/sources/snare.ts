/**
 * Windows events as Snare's agents send them (the "MSWinEventLog" format, what QRadar's Snare
 * DSM, rsyslog's mmsnarewinsec and many syslog archives hold): one event per line, optionally
 * behind a syslog header (RFC 3164, RFC 5424) or a host name, then tab-separated fields —
 *
 *   MSWinEventLog ⇥ criticality ⇥ log (channel) ⇥ Snare's counter ⇥ date (`Thu Sep 18 13:10:00 2025`)
 *   ⇥ EventID ⇥ source (provider) ⇥ user ⇥ SID type ⇥ event log type (`Success Audit`, …)
 *   ⇥ computer ⇥ category ⇥ data string ⇥ expanded string (the rendered message) [⇥ checksum or counter]
 *
 * The message comes with each line break and tab turned into a space; its lines are restored for
 * the layouts whose items are known by name (windows-message.ts `unflattenedMessage`: Sysmon's
 * item names, Security's and 7045's labels), and the event is read as the EventLogRecord it shows
 * (powershell-winevent.ts `eventLogRecordEvent`, as the WinEventLog text and Event Viewer's CSV
 * are): Sysmon's data items by name with the time of its UtcTime, Security 4688's from its subject
 * and process lines, anything else keeps its message. The date is the agent's local time with no
 * zone: it is read as UTC (as zoneless times are everywhere here), for events without a UtcTime.
 * Snare's own fields are kept as `Criticality`, `SnareCounter`, `UserName`, `SIDType`,
 * `EventLogType`, `CategoryString`, `DataString` where the event has no field of the name.
 */
import { type Fields, type NormalizedEvent, type Provenance, hasField, setField } from '../events/event.js';
import { readLineRecords } from './ndjson.js';
import { eventLogRecordEvent } from './powershell-winevent.js';
import type { SourceReader } from './reader.js';
import { validTime } from './time.js';
import { unflattenedMessage } from './windows-message.js';
import { SECURITY_PROVIDER, SYSMON_PROVIDER, toEventId } from './windows-logsource.js';

const FORMAT = 'snare';
const MARKER = 'MSWinEventLog\t';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `Thu Sep 18 13:10:00 2025`, as Snare writes the event's date (some agents leave the year out). */
const DATE = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?: (\d{4}))?$/;
/** Sources older agents give for the Security log, and the provider they are. */
const SECURITY_SOURCES = new Set(['Security', 'Microsoft Windows security auditing.', 'Windows']);

export const snareReader: SourceReader = {
  format: FORMAT,
  description: "Snare's MSWinEventLog lines (Snare agents to syslog / QRadar): tab-separated header, rendered message",
  sniff(head) {
    const first = head.replace(/^\uFEFF/, '').split('\n', 4).find((line) => line.trim() !== '');
    return first !== undefined && first.includes(MARKER) && first.split('\t').length >= 14 ? 0.9 : 0;
  },
  read: (input, ctx) => readLineRecords(input, ctx, FORMAT, snareEvent),
};

function snareEvent(line: string, source: Provenance): NormalizedEvent | string {
  const at = line.indexOf(MARKER);
  if (at === -1) return 'not a Snare event (no MSWinEventLog field)';
  const cells = line.slice(at + MARKER.length).replace(/\r$/, '').split('\t');
  if (cells.length < 13) return `a Snare event has 13 fields after MSWinEventLog, this one ${cells.length}`;
  const [criticality, log, counter, date, eventCode, sourceName, user, sidType, logType, computer, category, data, ...rest] = cells as [string, ...string[]];
  // The message may hold no tab (they became spaces); a checksum or counter may follow it.
  const message = rest.length > 1 ? rest.slice(0, -1).join('\t') : (rest[0] ?? '');
  const eventId = toEventId(eventCode);
  if (eventId === undefined) return `Snare event ID ${JSON.stringify(eventCode)} is not a number`;
  const provider = log === 'Security' && SECURITY_SOURCES.has(sourceName!) ? SECURITY_PROVIDER : sourceName!;
  const record: Fields = { Id: eventId, ProviderName: provider, LogName: log! };
  if (computer) record.MachineName = computer;
  const time = snareTime(date!, line.slice(0, at));
  // Sysmon's own UtcTime is exact; the agent's date has no zone.
  if (time !== undefined && provider !== SYSMON_PROVIDER) record.TimeCreated = new Date(time).toISOString();
  if (message.trim() !== '') record.Message = unflattenedMessage(provider, eventId, message.trim());
  const event = eventLogRecordEvent(record, source);
  if (typeof event === 'string') return event;
  const kept: [string, string | undefined][] = [
    ['Criticality', criticality], ['SnareCounter', counter], ['UserName', user], ['SIDType', sidType], ['EventLogType', logType],
    ['CategoryString', category], ['DataString', data],
  ];
  for (const [name, value] of kept) if (value !== undefined && value !== '' && value !== 'N/A' && !hasField(event.fields, name)) setField(event.fields, name, value);
  event.time ??= time;
  return event;
}

/** The event's date; without a year, the year of the syslog header's RFC 5424 time stamp, if any. */
function snareTime(date: string, prefix: string): number | undefined {
  const d = DATE.exec(date.trim());
  if (d === null) return undefined;
  const month = MONTHS.indexOf(d[1]!);
  const year = d[7] !== undefined ? Number(d[7]) : Number(/(?:^|\s)(\d{4})-\d{2}-\d{2}T/.exec(prefix)?.[1] ?? NaN);
  if (month === -1 || !Number.isFinite(year)) return undefined;
  return validTime(Date.UTC(year, month, Number(d[2]), Number(d[3]), Number(d[4]), Number(d[5]), Number((d[6] ?? '0').padEnd(3, '0'))));
}
