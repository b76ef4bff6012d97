/**
 * Flat JSON documents (Winlogbeat/ECS, OTRF, Sigma names) as Elasticsearch and OpenSearch give
 * them back: search hits, not bare documents. The readers of those documents (sigma-ndjson,
 * winlogbeat, otrf) read them through here, so each wrapper is handled once for all of them:
 *
 * - a whole `_search` response (`{"took", "timed_out", "_shards", "hits": {"total", "max_score",
 *   "hits": [hit, …]}}`, scroll responses with `_scroll_id` first), on one line or pretty-printed,
 *   several appended one after another (scroll pages): `hits.hits` is cut hit by hit by
 *   json-records.ts, never parsed whole; also inside an async search's `response`
 *   (`GET _async_search/<id>`: `{"id", "is_partial", "is_running", …, "response": {…}}`, what
 *   Kibana's own searches return) or a `rawResponse` (Kibana's data plugin names it so), and in
 *   each of a `_msearch` response's `responses` (what Kibana's Discover sent before 7.10);
 * - one hit (`{"_index", "_id", "_score", "_source": {…}}`) per line: elasticdump writes each hit
 *   as one JSON line (elasticsearch-dump/elasticsearch-dump, lib/transports/base.js `__handleData`;
 *   with `--sourceOnly` only the `_source`, a bare document);
 * - hits in a JSON array or pretty-printed: Kibana Discover's "Copy documents to clipboard (JSON)"
 *   writes `JSON.stringify(rows.map((row) => row.raw))`, the selected rows' hits as one JSON array
 *   (elastic/kibana, packages/kbn-unified-data-table/src/utils/copy_value_to_clipboard.ts
 *   `copyRowsAsJsonToClipboard`), and a document's JSON tab copies its hit, with `_index`, `_id`
 *   and `fields` beside `_source` (elastic/kibana#134470). Kibana's other export, the CSV report of
 *   a saved search (Share → CSV Reports; elastic.co/guide/en/kibana/6.8/xpack-reporting.html:
 *   "saved searches in Discover are exported to CSV"), holds the search's columns, not hits, and
 *   is not read here.
 *
 * A hit's `_source` is the document: it is read by the reader that reads the bare document, so
 * the events are the bare documents' (provenance: the line the hit starts on), with the hit's
 * `_index` and `_id` added as fields where the document has none of that name (two property
 * writes per hit; they let a finding be looked up in Elasticsearch). A hit without a `_source`
 * object (searched with `_source` turned off) is a bad record, and so is a whole search response
 * met as one record (responses in a JSON array, `jq -s` of scroll pages; one among documents).
 * Sniffers look at the first hit's document (`firstDocument`), also when the head cuts it
 * (json-head.ts keeps what it holds).
 */
import type { Readable } from 'node:stream';
import type { NormalizedEvent } from '../events/event.js';
import { firstJsonRecord } from './json-head.js';
import { peekShape, readRecordArray, readShaped, splitsOnLines } from './json-shape.js';
import { isObject } from './json-util.js';
import type { RecordMapper } from './ndjson.js';
import type { ReadContext, ReusedChunks } from './reader.js';

/** Where a search response holds its hits, where an async search's wrapper holds that response, and where `_msearch` holds its responses. */
const HITS = { member: [/^hits$/, /^hits$/], describe: '"hits.hits"' };
const WRAPPED_HITS = { member: [/^(response|rawResponse)$/, /^hits$/, /^hits$/], describe: '"response.hits.hits"' };
const MULTI_HITS = { member: [/^responses$/, /^$/, /^hits$/, /^hits$/], describe: '"responses[].hits.hits"' };
export const NO_SOURCE = 'an Elasticsearch hit without a _source object (searched with _source turned off?)';
export const SEARCH_RESPONSE_AS_RECORD =
  'an Elasticsearch search response as one record of a JSON array or among documents: its hits are not read (give the responses as written, one after another)';

type JsonRecord = Record<string, unknown>;

/** A `_search` response: a `hits` object holding a `hits` array. */
export function isSearchResponse(record: JsonRecord | undefined): boolean {
  return record !== undefined && isObject(record.hits) && Array.isArray(record.hits.hits);
}

/** The (first) search response of a record: itself, the one an async search's wrapper holds, or the first of `_msearch`'s. */
function searchResponseIn(record: JsonRecord | undefined): JsonRecord | undefined {
  if (record === undefined) return undefined;
  if (isSearchResponse(record)) return record;
  const inner = record.response ?? record.rawResponse;
  if (isObject(inner) && isSearchResponse(inner)) return inner;
  return Array.isArray(record.responses) ? (record.responses.find((r) => isObject(r) && isSearchResponse(r)) as JsonRecord | undefined) : undefined;
}

/** Where the hits of a record that holds a search response are (searchResponseIn). */
function hitsPath(record: JsonRecord, response: JsonRecord): typeof HITS {
  return response === record ? HITS : Array.isArray(record.responses) ? MULTI_HITS : WRAPPED_HITS;
}

/**
 * What the document readers sniff: the first record of the head, or the document of the first
 * hit it holds (a search response's first hit, or the record itself being a hit).
 */
export function firstDocument(head: string): JsonRecord | undefined {
  const first = firstJsonRecord(head);
  const response = searchResponseIn(first);
  if (response === undefined) return first && sourceOf(first);
  const hit = ((response.hits as JsonRecord).hits as unknown[])[0];
  return isObject(hit) ? sourceOf(hit) : first;
}

function sourceOf(record: JsonRecord): JsonRecord {
  return isObject(record._source) ? record._source : record;
}

/** The documents of an input, bare or in hits, in any shape of json-shape.ts, as events. */
export async function* readDocuments(input: Readable | ReusedChunks, ctx: ReadContext, format: string, toEvent: RecordMapper): AsyncGenerator<NormalizedEvent[]> {
  // As much as sniffing saw: the same first record decides.
  const peeked = await peekShape(input);
  const fromHit = unwrapping(toEvent);
  const first = peeked.shape !== 'array' ? firstJsonRecord(peeked.start) : undefined;
  const response = searchResponseIn(first);
  if (response !== undefined) yield* readRecordArray(peeked.replay, ctx, format, fromHit, hitsPath(first!, response));
  else yield* readShaped(peeked, ctx, format, fromHit);
}

/** For the parallel plan: NDJSON of documents or of hits is cut on lines, search responses are not. */
export function splitsDocuments(head: string): boolean {
  return splitsOnLines(head) && searchResponseIn(firstJsonRecord(head)) === undefined;
}

/** `toEvent` of a record's document: the record itself, or a hit's `_source` with the hit's `_index` and `_id`. */
function unwrapping(toEvent: RecordMapper): RecordMapper {
  return (record, source) => {
    const bare = record._source === undefined && record._id === undefined && record.hits === undefined && record.response === undefined && record.rawResponse === undefined && record.responses === undefined;
    if (bare) return toEvent(record, source); // a bare document
    if (searchResponseIn(record) !== undefined) return SEARCH_RESPONSE_AS_RECORD;
    const document = record._source;
    if (!isObject(document)) return record._index !== undefined ? NO_SOURCE : toEvent(record, source);
    if (document._index === undefined && record._index !== undefined) document._index = record._index;
    if (document._id === undefined && record._id !== undefined) document._id = record._id;
    return toEvent(document, source);
  };
}
