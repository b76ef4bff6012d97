/**
 * NDJSON whose keys already are Sigma field names. Two shapes, told apart per line:
 *
 * - flat: the whole object is the event's `fields` (used as-is, not copied). Logsource from
 *   `category`/`product`/`service` keys or a `logsource` object, else from the Windows
 *   Channel/Provider and EventID; time from UtcTime, @timestamp, TimeCreated, time or timestamp.
 * - normalized: what `supplywatch dump` prints (`{"time", "category", ..., "fields", "source"}`).
 *   The event's `source` is the file and line being read now, NOT the provenance printed in the
 *   dump: an alert or bad record must point at the file the user gave. The dump line still holds
 *   the original provenance for anyone tracing further back.
 *
 * Flat objects may come as Elasticsearch / OpenSearch search hits (elastic-hits.ts).
 *
 * This reader is on the benchmark's hot path: keep the per-line work to JSON.parse plus a few
 * property reads.
 */
import type { Fields, LogSource, NormalizedEvent, Provenance } from '../events/event.js';
import { firstDocument, readDocuments, splitsDocuments } from './elastic-hits.js';
import { jsonShapeOf } from './json-shape.js';
import { isObject, stringOf } from './json-util.js';
import type { SplittableReader } from './reader.js';
import { firstTime, parseTime } from './time.js';
import { toEventId, windowsEvent } from './windows-logsource.js';

const FORMAT = 'sigma-ndjson';
export const TIME_KEYS = ['UtcTime', '@timestamp', 'TimeCreated', 'time', 'timestamp'] as const;
/** What makes a flat object an event to this reader: its logsource, time, host or Windows id, or a Sigma field of the seed's rules. */
const EVENT_KEYS = [
  'category', 'product', 'service', 'logsource', ...TIME_KEYS, 'Computer', 'Hostname', 'EventID', 'Channel',
  'Image', 'CommandLine', 'ParentImage', 'TargetFilename', 'DestinationIp', 'DestinationHostname', 'QueryName',
] as const;

export const sigmaNdjsonReader: SplittableReader = {
  format: FORMAT,
  splittable: true,
  splitsInput: splitsDocuments,
  description: 'NDJSON in Sigma field names: flat objects, or the normalized events `supplywatch dump` prints',
  sniff(head) {
    const first = firstDocument(head);
    if (first === undefined) return 0;
    if (isObject(first.fields) && isObject(first.source)) return 0.95;
    // Any NDJSON object (the fallback); a JSON array or pretty-printed object only with a member
    // this reader reads: a pretty config file (package.json, tsconfig.json) is no telemetry.
    return jsonShapeOf(head, true) === 'lines' || EVENT_KEYS.some((key) => first[key] !== undefined) ? 0.5 : 0;
  },
  read: (input, ctx) => readDocuments(input, ctx, FORMAT, toEvent),
};

function toEvent(record: Fields, source: Provenance): NormalizedEvent {
  const fields = record.fields;
  if (isObject(fields) && isObject(record.source)) return fromNormalized(record, fields, source);
  return fromFlat(record, source);
}

function fromNormalized(record: Fields, fields: Fields, source: Provenance): NormalizedEvent {
  const event: NormalizedEvent = { fields, source };
  const time = parseTime(record.time);
  if (time !== undefined) event.time = time;
  copyString(record, 'category', event);
  copyString(record, 'product', event);
  copyString(record, 'service', event);
  copyString(record, 'host', event);
  copyString(record, 'user', event);
  return event;
}

function fromFlat(fields: Fields, source: Provenance): NormalizedEvent {
  const time = firstTime(fields, TIME_KEYS);
  const host = stringOf(fields.Computer) ?? stringOf(fields.Hostname);
  const logsource = isObject(fields.logsource) ? fields.logsource : fields;
  if (typeof logsource.category === 'string' || typeof logsource.product === 'string' || typeof logsource.service === 'string') {
    const event: NormalizedEvent = { fields, source };
    copyString(logsource, 'category', event);
    copyString(logsource, 'product', event);
    copyString(logsource, 'service', event);
    if (time !== undefined) event.time = time;
    if (host !== undefined) event.host = host;
    const user = stringOf(fields.User);
    if (user !== undefined) event.user = user;
    return event;
  }
  const id = {
    channel: stringOf(fields.Channel),
    provider: stringOf(fields.Provider_Name) ?? stringOf(fields.Provider) ?? stringOf(fields.SourceName),
    eventId: toEventId(fields.EventID),
  };
  return windowsEvent(fields, id, host, time, source);
}

function copyString(from: Fields, key: keyof LogSource | 'host' | 'user', to: NormalizedEvent): void {
  const value = from[key];
  if (typeof value === 'string') to[key] = value;
}
