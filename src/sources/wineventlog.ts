/**
 * Windows events as Splunk's forwarder writes them without `renderXml` (sourcetype
 * `WinEventLog`, "classic"): what Splunk Web's "Export → Raw Events" saves, what the `.log`
 * files of Splunk's attack_data and BOTS datasets hold, and what `_raw` holds in a JSON or CSV
 * export of such events (splunk.ts). One event is a time stamp line, `Key=Value` header lines, and
 * the rendered message after `Message=`, over as many lines as it takes:
 *
 *   08/23/2017 08:33:29 PM
 *   LogName=Security
 *   SourceName=Microsoft Windows security auditing.
 *   EventCode=4688
 *   …
 *   Message=A new process has been created.
 *   <the rendered message's lines>
 *
 * The header's order varies between forwarder versions, newer ones write milliseconds in the time
 * stamp (`06/03/2026 04:10:14.241 PM`), and lines may end in CRLF. An event ends where the next
 * one's time stamp line is followed by a header line.
 *
 * The event is read as the EventLogRecord it shows (powershell-winevent.ts `eventLogRecordEvent`,
 * as Event Viewer's CSV rows are): Sysmon's data items by name from its message, with the time of
 * its `UtcTime`; Security 4688's from the message's subject and process lines; anything else
 * keeps its `Message`. `LogName` is the channel, `SourceName` the provider (Security's display
 * name named back), `ComputerName` the host, `RecordNumber` the EventRecordID, `Sid` the
 * Security_UserID; the other header keys are kept as they are (`TaskCategory`, `Keywords`, …)
 * where the event has no field of the name. The time stamp is the forwarder's local time with no
 * zone: it is read as UTC (as zoneless times are everywhere here) for events without a UtcTime.
 */
import type { Readable } from 'node:stream';
import { type Fields, type NormalizedEvent, type Provenance, hasField, setField } from '../events/event.js';
import { EventBatches } from './event-batches.js';
import { isBlank, OVERSIZED_LINE, splitLines } from './lines.js';
import { eventLogRecordEvent } from './powershell-winevent.js';
import type { ReadContext, SourceReader } from './reader.js';
import { validTime } from './time.js';
import { SECURITY_PROVIDER } from './windows-logsource.js';

const FORMAT = 'wineventlog';

/** `MM/DD/YYYY hh:mm:ss[.mmm] AM|PM`, the line an event starts with. */
const STAMP = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? ([AP])M\s*$/;
/** A header line: `Key=Value`. */
const HEADER = /^([A-Za-z][A-Za-z0-9_]*)=(.*)$/;
/** Keys only this format writes, one of which follows a time stamp line that starts an event. */
const FIRST_KEYS = /^(?:LogName|SourceName|EventCode|ComputerName|EventType)=/;
/** An event longer than this (a huge script block) is a bad record, not held without limit. */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;
/** Header keys read into other names, and those dropped: `User` is only the translation of `Sid`. */
const HEADER_NAMES = new Map<string, string | null>([
  ['LogName', null],
  ['SourceName', null],
  ['EventCode', null],
  ['ComputerName', null],
  ['RecordNumber', null],
  ['Message', null],
  ['Sid', 'Security_UserID'],
  ['User', null],
  ['SidType', null],
]);
/** Display names the classic format gives in `SourceName`, and the providers they are. */
const PROVIDERS = new Map([['microsoft windows security auditing.', SECURITY_PROVIDER]]);

export const winEventLogReader: SourceReader = {
  format: FORMAT,
  splittable: false,
  description: "Splunk's classic WinEventLog text (raw events export, attack_data .log files): a time stamp line, Key=Value lines, Message=",
  sniff(head) {
    const lines = head.replace(/^\uFEFF/, '').split('\n', 40).map((l) => l.replace(/\r$/, ''));
    const first = lines.findIndex((l) => !isBlank(l));
    if (first === -1 || !STAMP.test(lines[first]!)) return 0;
    return FIRST_KEYS.test(lines[first + 1] ?? '') ? 0.9 : 0;
  },
  read: readWinEventLog,
};

/** Whether `text` (a Splunk result's `_raw`) is one classic event. */
export function isClassicEvent(text: string): boolean {
  // Its first two lines only: a `_raw` may be a long script block.
  const end = text.indexOf('\n');
  return end > 0 && STAMP.test(text.slice(0, end).replace(/\r$/, '')) && FIRST_KEYS.test(text.slice(end + 1, end + 64));
}

/** One classic event's text as an event (or the reason it makes none). */
export function classicEvent(text: string, source: Provenance): NormalizedEvent | string {
  return eventOf(text.split('\n').map((l) => l.replace(/\r$/, '')), source);
}

async function* readWinEventLog(input: Readable, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  const { file } = ctx;
  const batches = new EventBatches(ctx);
  let lines: string[] = [];
  let chars = 0;
  let start = 0;
  /** A time stamp line seen, not yet known to start an event: the next line tells. */
  let pending: { text: string; line: number } | undefined;
  let oversized = false;
  const where = (line: number) => ({ file, format: FORMAT, line });
  const close = (): NormalizedEvent[] | undefined => {
    const outcome = lines.length === 0 ? null : oversized ? `event longer than ${MAX_EVENT_CHARS} characters` : eventOf(lines, where(start));
    lines = [];
    chars = 0;
    oversized = false;
    return batches.add(outcome, where(start));
  };
  const append = (text: string, line: number) => {
    if (lines.length === 0) start = line;
    if (oversized) return;
    chars += text.length + 1;
    if (chars > MAX_EVENT_CHARS) {
      oversized = true;
      lines = [''];
    } else lines.push(text);
  };
  for await (const block of splitLines(input, (line) => ctx.bad({ ...where(line), reason: OVERSIZED_LINE }))) {
    for (let i = 0; i < block.lines.length; i++) {
      const text = block.lines[i]!.replace(/\r$/, '');
      const line = block.firstLine + i;
      if (pending !== undefined) {
        if (FIRST_KEYS.test(text)) {
          const full = close();
          if (full) yield full;
        }
        append(pending.text, pending.line);
        pending = undefined;
      }
      if (STAMP.test(text)) pending = { text, line };
      else if (lines.length > 0 || !isBlank(text)) append(text, line);
    }
  }
  if (pending !== undefined) append(pending.text, pending.line);
  const full = close();
  if (full) yield full;
  const rest = batches.rest();
  if (rest) yield rest;
}

/** An event's lines: the time stamp, the header, the message. */
function eventOf(lines: string[], source: Provenance): NormalizedEvent | string {
  const stamp = STAMP.exec(lines[0]!);
  if (stamp === null) return 'not a WinEventLog event (expected a "MM/DD/YYYY hh:mm:ss AM" line, then Key=Value lines)';
  const header = new Map<string, string>();
  let message: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const item = HEADER.exec(lines[i]!);
    // Message= runs to the end; so does a line that is no header (a message without its key).
    if (item === null || item[1] === 'Message') {
      const rest = item === null ? lines.slice(i) : [item[2]!, ...lines.slice(i + 1)];
      while (rest.length > 0 && isBlank(rest[rest.length - 1]!)) rest.pop();
      message = rest.join('\n');
      break;
    }
    if (!header.has(item[1]!)) header.set(item[1]!, item[2]!);
  }
  const eventCode = header.get('EventCode');
  const logName = header.get('LogName');
  const shown = header.get('SourceName');
  if (eventCode === undefined || (logName === undefined && shown === undefined)) return 'WinEventLog event without EventCode, LogName or SourceName';
  const provider = shown === undefined ? undefined : (PROVIDERS.get(shown.toLowerCase()) ?? shown);
  // No provider named (a header without SourceName): the channel stands for it.
  const record: Fields = { Id: eventCode, ProviderName: provider ?? logName! };
  if (logName !== undefined) record.LogName = logName;
  const computer = header.get('ComputerName');
  if (computer !== undefined) record.MachineName = computer;
  const recordNumber = header.get('RecordNumber');
  if (recordNumber !== undefined && /^\d+$/.test(recordNumber)) record.RecordId = Number(recordNumber);
  if (message !== undefined) record.Message = message;
  const event = eventLogRecordEvent(record, source);
  if (typeof event === 'string') return event;
  header.forEach((value, key) => {
    const name = HEADER_NAMES.has(key) ? HEADER_NAMES.get(key) : key;
    if (name !== null && name !== undefined && !hasField(event.fields, name)) setField(event.fields, name, value);
  });
  event.time ??= stampTime(stamp);
  return event;
}

/** The time stamp line's time, read as UTC (it has no zone). */
function stampTime(stamp: RegExpExecArray): number | undefined {
  const [, month, day, year, hour, minute, second, fraction, half] = stamp;
  const hours = (Number(hour) % 12) + (half === 'P' ? 12 : 0);
  if (Number(hour) > 12 || Number(hour) === 0) return undefined;
  const ms = fraction === undefined ? 0 : Math.round(Number(`0.${fraction}`) * 1000);
  const time = Date.UTC(Number(year), Number(month) - 1, Number(day), hours, Number(minute), Number(second), ms);
  const back = new Date(time);
  // 02/30 would roll over into March: not a date.
  if (back.getUTCMonth() !== Number(month) - 1 || back.getUTCDate() !== Number(day)) return undefined;
  return validTime(time);
}
