/**
 * Sysmon for Linux as it reaches syslog: each line's message is one `<Event>` XML element
 * (provider `Linux-Sysmon`, channel `Linux-Sysmon/Operational`), e.g.
 *
 *   May 11 18:10:20 UBUNTU5 sysmon: <Event><System><Provider Name="Linux-Sysmon" …/>…</Event>
 *
 * (BSD syslog; RFC 3339 time stamps as rsyslog writes them and RFC 5424 `<PRI>1 …` lines are read
 * too), or the same message inside a JSON line (`SyslogMessage` as in Azure's Syslog table,
 * `message`/`MESSAGE` as shippers and journald export it).
 *
 * The XML goes through `event-xml.ts`, so events get product linux, service sysmon and the
 * SigmaHQ category of their EventID, with Linux values as Sysmon writes them (`/usr/bin/curl`,
 * `root`). Time comes from the event's `TimeCreated SystemTime` (syslog's BSD stamp has no year).
 * The syslog header is kept as `SyslogHost`, `SyslogProgram`, `SyslogPid`, `SyslogTimestamp`.
 *
 * Lines from other programs are not dropped: they become events with product linux, service
 * syslog and no category (`SyslogMessage` holds the text). Lines that are not syslog, and Sysmon
 * lines whose XML is broken, are bad records with their line number.
 */
import type { Readable } from 'node:stream';
import type { Fields, NormalizedEvent, Provenance } from '../events/event.js';
import { embeddedEvent, eventFromEmbeddedXml } from './event-xml.js';
import { stringOf } from './json-util.js';
import { isBlank } from './lines.js';
import { jsonLineHead } from './json-head.js';
import { jsonObjectLine, readLineRecords } from './ndjson.js';
import type { ReadContext, ReusedChunks, SplittableReader } from './reader.js';
import { firstTime, parseTime, validTime } from './time.js';

const FORMAT = 'sysmon-linux-syslog';

/** `[<PRI>[version] ]TIMESTAMP HOST PROGRAM[[PID]]: MESSAGE` (RFC 5424 lines have `- - -` before the message). */
const SYSLOG_LINE =
  /^(?:<\d{1,3}>\d?\s*)?([A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\S+)\s+(\S+)\s+([^\s:[]+)(?:\[(\d+)\])?:?\s(?:-\s-\s-\s)?(.*)$/;
const MESSAGE_KEYS = ['SyslogMessage', 'message', 'MESSAGE', 'Message'] as const;
const HOST_KEYS = ['Computer', 'HostName', 'hostname', 'host', '_HOSTNAME'] as const;
export const TIME_KEYS = ['TimeGenerated', 'EventTime', '@timestamp', 'timestamp'] as const;
/** journald's times, in microseconds: when the message was made, else when journald received it. */
export const JOURNAL_TIME_KEYS = ['_SOURCE_REALTIME_TIMESTAMP', '__REALTIME_TIMESTAMP'] as const;

export const sysmonLinuxSyslogReader: SplittableReader = {
  format: FORMAT,
  splittable: true,
  description: 'Sysmon for Linux via syslog: lines whose message is the <Event> XML, raw or in JSON (SyslogMessage)',
  sniff(head) {
    const lines = head.replace(/^\uFEFF/, '').split('\n', 200).filter((l) => !isBlank(l));
    if (lines.length === 0) return 0;
    const sysmon = (l: string) => l.includes('<Event>') && l.includes('Linux-Sysmon');
    if (SYSLOG_LINE.test(lines[0]!)) return lines.some((l) => SYSLOG_LINE.test(l) && sysmon(l)) ? 0.85 : 0;
    // JSON: below otrf's Azure-row score, so the OTRF/Azure files stay with otrf.
    const first = jsonLineHead(head);
    if (first === undefined) return 0;
    // A message longer than the head (a huge CommandLine) is cut: its start names the provider.
    const cut = first.cut !== undefined && (MESSAGE_KEYS as readonly string[]).includes(first.cut.key) ? first.cut.start : undefined;
    const message = MESSAGE_KEYS.map((k) => first.members[k]).find((v) => typeof v === 'string') ?? cut;
    return typeof message === 'string' && message.includes('<Event>') && message.includes('Linux-Sysmon') ? 0.6 : 0;
  },
  read: readSysmonSyslog,
};

function readSysmonSyslog(input: Readable | ReusedChunks, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  return readLineRecords(input, ctx, FORMAT, (text, source) =>
    text.trimStart().startsWith('{') ? fromJsonLine(text, source) : fromSyslogLine(text.replace(/\r$/, ''), source));
}

function fromSyslogLine(text: string, source: Provenance): NormalizedEvent | string {
  const match = SYSLOG_LINE.exec(text);
  if (match === null) return 'not a syslog line (expected "Mmm dd HH:MM:SS host program: message")';
  const [, timestamp, host, program, pid, message] = match as unknown as [string, string, string, string, string | undefined, string];
  const header: Fields = { SyslogTimestamp: timestamp, SyslogHost: host, SyslogProgram: program };
  if (pid !== undefined) header.SyslogPid = pid;
  const xml = embeddedEvent(message);
  if (xml !== undefined) return eventFromEmbeddedXml(xml, header, host, source);
  header.SyslogMessage = message;
  // A BSD stamp (`May 11 18:10:20`) has no year: no time rather than a guessed one.
  return syslogEvent(header, host, /^\d{4}-/.test(timestamp) ? parseTime(timestamp) : undefined, source);
}

function fromJsonLine(text: string, source: Provenance): NormalizedEvent | string {
  const record = jsonObjectLine(text);
  return typeof record === 'string' ? record : jsonRecordEvent(record, source);
}

/**
 * A JSON line's record (a journal entry, a shipper's document): the Sysmon for Linux event its
 * message holds (or why its XML is not one), else an event of service syslog with the record's fields.
 */
export function jsonRecordEvent(fields: Fields, source: Provenance): NormalizedEvent | string {
  const host = HOST_KEYS.map((k) => stringOf(fields[k])).find((v) => v !== undefined);
  const message = MESSAGE_KEYS.map((k) => fields[k]).find((v): v is string => typeof v === 'string');
  const xml = message === undefined ? undefined : embeddedEvent(message);
  if (xml !== undefined) return eventFromEmbeddedXml(xml, fields, host, source);
  return syslogEvent(fields, host, firstTime(fields, TIME_KEYS) ?? journalTime(fields), source);
}

function journalTime(fields: Fields): number | undefined {
  for (const key of JOURNAL_TIME_KEYS) {
    const micros = fields[key];
    if (typeof micros === 'string' && /^\d{1,17}$/.test(micros)) return validTime(Math.floor(Number(micros) / 1000));
  }
  return undefined;
}

function syslogEvent(fields: Fields, host: string | undefined, time: number | undefined, source: Provenance): NormalizedEvent {
  const event: NormalizedEvent = { fields, source, product: 'linux', service: 'syslog' };
  if (time !== undefined) event.time = time;
  if (host !== undefined) event.host = host;
  return event;
}
