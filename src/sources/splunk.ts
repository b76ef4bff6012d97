/**
 * Splunk search results exported as JSON, in the two shapes Splunk writes
 * (splunk-sdk-python `splunklib/results.py` JSONResultsReader reads both the same way):
 *
 * - "Export → JSON" in Splunk Web, `splunk search … -output json` and the REST
 *   `search/jobs/export` endpoint: one object per line, `{"preview":false,"offset":0,"result":{…}}`
 *   (the last one may carry `"lastrow":true`); lines with only `messages` (`[{"type", "text"}]`,
 *   JSONResultsReader's Message) are the search's own diagnostics, no event: DEBUG, INFO and WARN
 *   ones are skipped, an ERROR or FATAL one (a search auto-canceled, a license error) means the
 *   search stopped and the export is incomplete, so it is a bad record with its line and text;
 * - the REST results endpoint with `output_mode=json` (help.splunk.com, "Export data using the
 *   Splunk REST API"): `{"preview":false,"init_offset":0,"messages":[…],"fields":[…],"results":[{…},…]}`,
 *   its `results` cut record by record by json-records.ts; an ERROR or FATAL one among its
 *   `messages` is a bad record on the line the document starts on (the first document's only:
 *   appended pages' messages are not looked at).
 * Bare results (a JSON array or lines of result objects, e.g. from `jq '.result'`) read too.
 *
 * A result holds Splunk's fields (`_time` as ISO 8601 with offset, e.g.
 * `2015-01-25T00:15:06.000+00:00`, `host`, `source`, `sourcetype`, `_raw`, internal `_bkt`, `_cd`, …)
 * beside the fields extracted at search time. For Sysmon, the Splunk Add-on for Sysmon (Splunk
 * Lantern, "Microsoft: Sysmon": sourcetype `XmlWinEventLog:Microsoft-Windows-Sysmon/Operational`,
 * input `WinEventLog://Microsoft-Windows-Sysmon/Operational`; the sample data of Splunk's
 * security_content detections: source `XmlWinEventLog:Microsoft-Windows-Sysmon/Operational`,
 * sourcetype `XmlWinEventLog`) extracts the Sysmon EventData names as they are (`Image`,
 * `CommandLine`, `ParentImage`, `TargetFilename`, `DestinationHostname`, `QueryName`, … as those
 * detections search them) and the EventID as `EventCode`.
 *
 * Mapping: when `_raw` holds the event's `<Event>` XML (XmlWinEventLog, `sysmon:linux`), the event
 * is that XML's (event-xml.ts, the names windows-xml gives), the result's other fields kept where
 * the XML has no field of the name; when it holds the classic WinEventLog text (sourcetype
 * `WinEventLog:<channel>`), the event is that text's (wineventlog.ts), the result's fields beside
 * it likewise, with the time of `_time` unless the event has a UtcTime. Otherwise the result's
 * fields are the event's, `EventID` from `EventCode`, the channel from the sourcetype or source
 * (`XmlWinEventLog:<channel>`, `WinEventLog://<channel>`; `sysmon:linux` is Linux-Sysmon), host
 * from `Computer`, else `host`; time from `_time`. Multivalue fields stay arrays.
 */
import type { Readable } from 'node:stream';
import { type FieldValue, type Fields, type NormalizedEvent, type Provenance, hasField, setField } from '../events/event.js';
import { embeddedEvent, eventFromEmbeddedXml } from './event-xml.js';
import { firstJsonRecord } from './json-head.js';
import { parseRecords } from './json-records.js';
import { peekShape, readShaped, splitsOnLines } from './json-shape.js';
import { isObject, stringOf } from './json-util.js';
import { EventBatches } from './event-batches.js';
import type { ReadContext, ReusedChunks, SplittableReader } from './reader.js';
import { parseTime, validTime } from './time.js';
import { toEventId, windowsEvent } from './windows-logsource.js';
import { classicEvent, isClassicEvent } from './wineventlog.js';

const FORMAT = 'splunk';
/** `XmlWinEventLog:Microsoft-Windows-Sysmon/Operational`, `WinEventLog://Security`: the channel after the prefix. */
const WINDOWS_EVENT_LOG = /^(?:Xml)?WinEventLog:(?:\/\/)?(.+)$/i;
const LINUX_SYSMON_SOURCETYPE = 'sysmon:linux';
const LINUX_SYSMON_CHANNEL = 'Linux-Sysmon/Operational';
/** Search message types that say the search did not run to its end. */
const FAILED_SEARCH = new Set(['ERROR', 'FATAL']);
/** A message's text is cut to this many characters in a bad record's reason. */
const MAX_MESSAGE_CHARS = 1000;
/** A result object without an export envelope is known by Splunk's own fields. */
const SPLUNK_FIELDS = ['_raw', '_time', 'sourcetype'] as const;

export const splunkReader: SplittableReader = {
  format: FORMAT,
  splittable: true,
  splitsInput: (head) => splitsOnLines(head) && !isResultsDocument(head),
  description: 'Splunk search results as JSON: Export / search/jobs/export lines {"result":{…}}, REST {"results":[…]} (Sysmon add-on fields or _raw XML)',
  sniff(head) {
    const first = firstJsonRecord(head);
    if (first === undefined) return 0;
    if (typeof first.preview === 'boolean' && (isObject(first.result) || Array.isArray(first.results) || Array.isArray(first.messages))) return 0.95;
    if (Array.isArray(first.results) && first.init_offset !== undefined) return 0.95;
    return first._time !== undefined && first.sourcetype !== undefined ? 0.9 : 0;
  },
  read: readSplunk,
};

/** The REST results endpoint's one document (`{"preview", "init_offset", "fields", "results": [...]}`), from its start. */
function isResultsDocument(start: string): boolean {
  const first = firstJsonRecord(start);
  return first !== undefined && (Array.isArray(first.results) || typeof first.init_offset === 'number');
}

async function* readSplunk(input: Readable | ReusedChunks, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  // As much as sniffing saw: the same members decide.
  const { shape, start, replay } = await peekShape(input);
  if (shape !== 'array' && isResultsDocument(start)) {
    // Its messages come before its results, within the head (only the first page's, when REST pages are appended).
    const failure = searchFailure(firstJsonRecord(start)?.messages as FieldValue | undefined);
    if (failure !== null) ctx.bad({ file: ctx.file, format: FORMAT, line: start.slice(0, Math.max(0, start.search(/\S/))).split('\n').length, reason: failure });
    yield* readResults(replay, ctx);
  } else yield* readShaped({ shape, start: '', replay }, ctx, FORMAT, fromExportRecord);
}

async function* readResults(input: AsyncIterable<Buffer>, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  const batches = new EventBatches(ctx);
  for await (const records of parseRecords(input, ctx, FORMAT, { member: /^results$/, describe: '"results"' })) {
    for (const { value, line, record } of records) {
      const source: Provenance = { file: ctx.file, format: FORMAT, line };
      const full = batches.add(isObject(value) ? fromResult(value, source) : 'result is not a JSON object', { ...source, record });
      if (full) yield full;
    }
  }
  const rest = batches.rest();
  if (rest) yield rest;
}

/** One export line (or a bare result): its `result`; for a line of search messages, nothing or the search's failure. */
function fromExportRecord(record: Fields, source: Provenance): NormalizedEvent | string | null {
  if (isObject(record.result)) return fromResult(record.result, source);
  if (SPLUNK_FIELDS.some((key) => record[key] !== undefined)) return fromResult(record, source);
  if (typeof record.preview === 'boolean' || Array.isArray(record.messages)) return searchFailure(record.messages);
  return 'not a Splunk result (no "result" object, _raw, _time or sourcetype)';
}

/**
 * The ERROR and FATAL messages of a line, as a bad record's reason (null when it has none). Their
 * text is the search head's, untrusted: quoted as a JSON string (control characters escaped) and cut.
 */
function searchFailure(messages: FieldValue | undefined): string | null {
  const failures = (Array.isArray(messages) ? messages : []).flatMap((message) => {
    if (!isObject(message) || typeof message.type !== 'string' || !FAILED_SEARCH.has(message.type.toUpperCase())) return [];
    const text = stringOf(message.text) ?? '';
    return [`${message.type} ${JSON.stringify(text.length > MAX_MESSAGE_CHARS ? text.slice(0, MAX_MESSAGE_CHARS) + '…' : text)}`];
  });
  return failures.length === 0 ? null : `Splunk search message, the export is incomplete: ${failures.join('; ')}`;
}

export function fromResult(result: Fields, source: Provenance): NormalizedEvent | string {
  const host = stringOf(first(result.Computer)) ?? stringOf(first(result.host));
  const raw = first(result._raw);
  const xml = typeof raw === 'string' ? embeddedEvent(raw) : undefined;
  if (xml !== undefined) {
    const event = eventFromEmbeddedXml(xml, result, host, source);
    if (typeof event !== 'string') {
      if (event.time === undefined) setTime(event, result);
      return event;
    }
    // XML that does not parse: the fields Splunk extracted still make the event, if it has them.
    if (result.EventCode === undefined && result.EventID === undefined) return event;
  }
  if (typeof raw === 'string' && isClassicEvent(raw)) {
    const event = classicEvent(raw, source);
    if (typeof event !== 'string') {
      for (const [key, value] of Object.entries(result)) if (!hasField(event.fields, key)) setField(event.fields, key, value);
      // _time is the event's own, with its offset; the classic time stamp has no zone.
      if (event.fields.UtcTime === undefined) setTime(event, result);
      return event;
    }
  }
  if (result.EventID === undefined && result.EventCode !== undefined) result.EventID = first(result.EventCode) ?? null;
  const id = {
    channel: stringOf(first(result.Channel)) ?? channelOf(result),
    provider: stringOf(first(result.Provider_Name)) ?? stringOf(first(result.SourceName)),
    eventId: toEventId(first(result.EventID)),
  };
  const event = windowsEvent(result, id, host, undefined, source);
  setTime(event, result);
  return event;
}

/** The event log channel a sourcetype or source names (`XmlWinEventLog:<channel>`, `sysmon:linux`). */
function channelOf(result: Fields): string | undefined {
  for (const key of ['sourcetype', 'source', 'LogName'] as const) {
    const value = stringOf(first(result[key]));
    if (value === undefined) continue;
    if (value.toLowerCase() === LINUX_SYSMON_SOURCETYPE) return LINUX_SYSMON_CHANNEL;
    const channel = WINDOWS_EVENT_LOG.exec(value)?.[1];
    if (channel !== undefined) return channel;
    if (key === 'LogName') return value;
  }
  return undefined;
}

/** `_time`: ISO 8601 with an offset, or epoch seconds (a number, or digits with a fraction). */
function setTime(event: NormalizedEvent, result: Fields): void {
  const time = first(result._time);
  const seconds = typeof time === 'number' ? time : typeof time === 'string' && /^\d+(\.\d+)?$/.test(time) ? Number(time) : undefined;
  const ms = seconds !== undefined ? validTime(Math.round(seconds * 1000)) : (parseTime(time) ?? parseTime(first(result.UtcTime)));
  if (ms !== undefined) event.time = ms;
}

/** A multivalue field's first value (Splunk gives a field extracted twice as an array). */
function first(value: FieldValue | undefined): FieldValue | undefined {
  return Array.isArray(value) ? value[0] : value;
}
