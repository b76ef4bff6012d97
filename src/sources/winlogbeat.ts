/**
 * Winlogbeat / Elastic Common Schema NDJSON: `winlog.event_data.*` become the fields (they carry
 * the Sysmon/Security names Sigma uses), `winlog.*` give EventID/Channel/Provider_Name/Computer,
 * and ECS objects (`process`, `destination`, `file`, `dns`, ...) fill the Sigma names that
 * event_data lacks (e.g. events enriched or produced by Elastic Defend).
 * The original top-level ECS objects are kept in `fields` under their own names. The documents
 * may come as Elasticsearch / OpenSearch search hits (elastic-hits.ts).
 */
import type { Fields, NormalizedEvent, Provenance } from '../events/event.js';
import { at, ecsUser, keepDocument, setEcsSigmaFields, setIfPresent } from './ecs-fields.js';
import { firstDocument, readDocuments, splitsDocuments } from './elastic-hits.js';
import { isObject, stringOf } from './json-util.js';
import type { SplittableReader } from './reader.js';
import { parseTime } from './time.js';
import { toEventId, windowsEvent } from './windows-logsource.js';

const FORMAT = 'winlogbeat';

export const winlogbeatReader: SplittableReader = {
  format: FORMAT,
  splittable: true,
  splitsInput: splitsDocuments,
  description: 'Winlogbeat / ECS NDJSON (winlog.event_id, winlog.event_data, process.*), bare or as Elasticsearch hits',
  sniff(head) {
    const first = firstDocument(head);
    return first !== undefined && (isObject(first.winlog) || shippedByWinlogbeat(first)) ? 0.9 : 0;
  },
  read: (input, ctx) => readDocuments(input, ctx, FORMAT, toEvent),
};

export function toEvent(doc: Fields, source: Provenance): NormalizedEvent | string {
  const winlog = doc.winlog;
  if (!isObject(winlog)) return 'no winlog object';
  const fields: Fields = isObject(winlog.event_data) ? { ...winlog.event_data } : {};
  const eventId = toEventId(winlog.event_id ?? at(doc, 'event.code'));
  const channel = stringOf(winlog.channel);
  const provider = stringOf(winlog.provider_name ?? at(doc, 'event.provider'));
  const computer = stringOf(winlog.computer_name ?? at(doc, 'host.name'));
  setIfPresent(fields, 'EventID', eventId);
  setIfPresent(fields, 'Channel', channel);
  setIfPresent(fields, 'Provider_Name', provider);
  setIfPresent(fields, 'Computer', computer);
  setIfPresent(fields, 'EventRecordID', winlog.record_id);
  setEcsSigmaFields(fields, doc);
  setIfPresent(fields, 'User', ecsUser(doc));
  keepDocument(fields, doc);
  return windowsEvent(fields, { channel, provider, eventId }, computer, parseTime(doc['@timestamp']), source);
}

/**
 * Winlogbeat names itself in `agent.type` (7.x+) and `@metadata.beat`: a first record longer
 * than the sniffing head, its `winlog` object past the cut (after a script block in `message`),
 * is known by them.
 */
function shippedByWinlogbeat(doc: Record<string, unknown>): boolean {
  const agent = doc.agent;
  const metadata = doc['@metadata'];
  return (isObject(agent) && agent.type === 'winlogbeat') || (isObject(metadata) && metadata.beat === 'winlogbeat');
}
