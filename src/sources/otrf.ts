/**
 * OTRF Security-Datasets (Mordor) NDJSON: one flat object per line, as exported from
 * Logstash/Azure Log Analytics. Windows records carry `EventID`, `Channel`, `Hostname` or
 * `Computer`, `SourceName`/`Provider`/`EventSourceName`, and the EventData keys at top level,
 * which already are the Sysmon/Security (Sigma) names.
 *
 * Azure `WindowsEvent` rows hold EventData as a JSON string: its keys are lifted to top level.
 * Embedded XML goes through `event-xml.ts`: a Syslog row whose `SyslogMessage` is an `<Event>`
 * (Sysmon for Linux) becomes that event (the row's own columns kept where the XML has no field
 * of the name); a SecurityEvent/Event/WEC row whose `EventData` is XML (`<EventData>`,
 * `<DataItem>`, `<UserData>` or a whole `<Event>`) has its Data items lifted to top level like
 * the JSON form. XML that does not parse is kept raw (the row is still an event). The rows may
 * come as Elasticsearch / OpenSearch search hits (elastic-hits.ts).
 */
import { type Fields, type NormalizedEvent, type Provenance, hasField, setField } from '../events/event.js';
import { EMBEDDED_ROOTS, embeddedEvent, eventFromEmbeddedXml, parseEventXml } from './event-xml.js';
import { createAuomsRowMapper } from './auditd/auoms.js';
import { firstDocument, readDocuments, splitsDocuments } from './elastic-hits.js';
import { stringOf } from './json-util.js';
import type { SplittableReader } from './reader.js';
import { firstTime } from './time.js';
import { toEventId, windowsEvent } from './windows-logsource.js';

const FORMAT = 'otrf';
// UtcTime last: Sysmon's own field, for flat Sysmon exports that carry no collector timestamp.
export const TIME_KEYS = ['@timestamp', 'TimeCreated', 'EventTime', 'TimeGenerated', 'UtcTime'] as const;
/**
 * NXLog's `im_msvistalog` writes `EventTime` in the collector's local time, without a zone
 * (`2026-11-27 10:14:02`): read as UTC it is off by the zone's offset, so a record with such an
 * EventTime takes its time from any other key first (Sysmon's UtcTime is UTC by definition).
 */
const ZONELESS_EVENT_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?$/;
const TIME_KEYS_LOCAL_EVENT_TIME = ['@timestamp', 'TimeCreated', 'TimeGenerated', 'UtcTime', 'EventTime'] as const;
const HOST_KEYS = ['Hostname', 'Computer', 'HostName'] as const;
const PROVIDER_KEYS = ['SourceName', 'Provider', 'EventSourceName'] as const;

export const otrfReader: SplittableReader = {
  format: FORMAT,
  splittable: true,
  splitsInput: splitsDocuments,
  description: 'OTRF Security-Datasets (Mordor) flat NDJSON: EventID, Channel, Hostname, EventData keys at top level',
  sniff(head) {
    const first = firstDocument(head);
    if (first === undefined) return 0;
    const windows = first.EventID !== undefined && (first.Channel !== undefined || first.SourceName !== undefined);
    if (windows && (first.Hostname !== undefined || first.Computer !== undefined)) return 0.8;
    // Azure Log Analytics rows (Syslog, VMConnection, ...) as OTRF ships them. Their `Type` comes
    // last, after a SyslogMessage or EventData that may run past the sniffing head:
    // `SourceSystem`, among the first columns, says the same.
    const azure = first.TenantId !== undefined && first.TimeGenerated !== undefined;
    return azure && (first.Type !== undefined || first.SourceSystem !== undefined) ? 0.7 : 0;
  },
  read: (input, ctx) => {
    const auoms = createAuomsRowMapper(); // AUOMS rows: auditd/auoms.ts (one process table per input)
    return readDocuments(input, ctx, FORMAT, (row, source) => auoms(row, source) ?? toEvent(row, source));
  },
};

function toEvent(record: Fields, source: Provenance): NormalizedEvent | string {
  const syslog = record.SyslogMessage;
  const xml = typeof syslog === 'string' ? embeddedEvent(syslog) : undefined;
  if (xml !== undefined) return eventFromEmbeddedXml(xml, record, firstString(record, HOST_KEYS), source);
  liftJsonEventData(record);
  liftXmlEventData(record);
  const id = {
    channel: stringOf(record.Channel),
    provider: firstString(record, PROVIDER_KEYS),
    eventId: toEventId(record.EventID),
  };
  return windowsEvent(record, id, firstString(record, HOST_KEYS), recordTime(record), source);
}

/** Azure WindowsEvent: `"EventData": "{\"Image\": ...}"`. Existing top-level keys win. */
export function liftJsonEventData(record: Fields): void {
  const data = record.EventData;
  if (typeof data !== 'string' || !data.startsWith('{')) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return; // kept raw, like the XML payloads
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return;
  for (const [key, value] of Object.entries(parsed as Fields)) if (!hasField(record, key)) setField(record, key, value);
}

/** SecurityEvent/Event/WEC rows: `"EventData": "<EventData …><Data Name=…>…"`. Existing top-level keys win. */
export function liftXmlEventData(record: Fields): void {
  const data = record.EventData;
  if (typeof data !== 'string' || !data.trimStart().startsWith('<')) return;
  const parsed = parseEventXml(data, EMBEDDED_ROOTS);
  if (typeof parsed === 'string') return; // kept raw, like unparseable JSON
  for (const [key, value] of Object.entries(parsed.fields)) if (!hasField(record, key)) setField(record, key, value);
}

function firstString(record: Fields, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = stringOf(record[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

function recordTime(record: Fields): number | undefined {
  const eventTime = record.EventTime;
  return firstTime(record, typeof eventTime === 'string' && ZONELESS_EVENT_TIME.test(eventTime) ? TIME_KEYS_LOCAL_EVENT_TIME : TIME_KEYS);
}
