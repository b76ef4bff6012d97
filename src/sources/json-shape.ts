/**
 * The three shapes a file of flat JSON records comes in, and the one read loop for them (used by
 * sigma-ndjson, winlogbeat and otrf through elastic-hits.ts, and by splunk):
 *
 * - `lines`: one object per line (NDJSON), read by `ndjson.ts`, the fast path;
 * - `array`: one JSON array of objects, on one line or pretty-printed (`jq -s`, PowerShell
 *   `ConvertTo-Json`, Sentinel / Log Analytics "Export to JSON", Kibana exports), cut record by
 *   record by `json-records.ts` (resynchronised at the next `{` at a record's indentation);
 * - `objects`: pretty-printed objects one after another (`jq .`), split by `json-values.ts`
 *   (resynchronised at the next `{` in column 1).
 *
 * The shape is known from the start of the input: a `[` first, or a `{` alone on its line. Every
 * record becomes the event the NDJSON form gives (same fields, with the line its text starts on);
 * a broken one is one bad record with its line and byte offset, and the next ones are read.
 * A file in the array or objects shape must not be cut into line ranges (`splitsOnLines`).
 */
import { Readable } from 'node:stream';
import type { Fields, NormalizedEvent, Provenance } from '../events/event.js';
import { parseRecords, type RecordArrayOptions } from './json-records.js';
import { isObject } from './json-util.js';
import { scanJsonValues } from './json-values.js';
import { EventBatches } from './event-batches.js';
import { readNdjson, type RecordMapper } from './ndjson.js';
import { peek, SNIFF_BYTES } from './peek.js';
import type { ReadContext, ReusedChunks } from './reader.js';

export type JsonShape = 'lines' | 'array' | 'objects';

const ARRAY = /^\uFEFF?\s*\[/;
const PRETTY_OBJECT = /^\uFEFF?\s*\{[ \t\r]*\n/;
/** Blanks, or a `{` with only blanks after it: the next bytes decide. */
const UNDECIDED = /^\uFEFF?\s*(?:\{[ \t\r]*)?$/;

/** The shape of an input from its start; undefined while the start is blank or a `{` and blanks (`atEnd`: there is no more). */
export function jsonShapeOf(start: string, atEnd = false): JsonShape | undefined {
  if (ARRAY.test(start)) return 'array';
  if (PRETTY_OBJECT.test(start)) return 'objects';
  return UNDECIDED.test(start) && !atEnd ? undefined : 'lines';
}

/** For the parallel plan: only NDJSON can be cut into byte ranges on newlines. */
export function splitsOnLines(head: string): boolean {
  return (jsonShapeOf(head) ?? 'lines') === 'lines';
}

/** An input whose shape is known from its first chunks (`start`: those decoded), replayed from its start. */
export interface PeekedInput {
  shape: JsonShape;
  start: string;
  replay: AsyncIterable<Buffer>;
}

/** The records of an input in any of the three shapes, peeked already (peekShape), as events (`toEvent` as readNdjson's). */
export async function* readShaped({ shape, replay }: PeekedInput, ctx: ReadContext, format: string, toEvent: RecordMapper): AsyncGenerator<NormalizedEvent[]> {
  if (shape === 'lines') yield* readNdjson(replay, ctx, format, toEvent);
  else if (shape === 'array') yield* readRecordArray(replay, ctx, format, toEvent, { describe: 'top-level' });
  else yield* batched(concatenatedRecords(replay, ctx, format), ctx, format, toEvent);
}

/** The records of the array inside a JSON document (json-records.ts) as events, as readShaped's. */
export function readRecordArray(input: AsyncIterable<Buffer>, ctx: ReadContext, format: string, toEvent: RecordMapper, options: RecordArrayOptions): AsyncGenerator<NormalizedEvent[]> {
  return batched(parseRecords(input, ctx, format, options), ctx, format, toEvent);
}

/**
 * The shape from the input's first `bytes` (peek.ts), and the input replayed from its start.
 * Past that much, a start still undecided (blanks, or `{` and blanks) is read as NDJSON.
 */
export async function peekShape(input: Readable | ReusedChunks, bytes = SNIFF_BYTES): Promise<PeekedInput> {
  // Reused chunks are a byte range the parallel plan cut, which it does for NDJSON only
  // (splitsOnLines): a range may start at any line, one that opens with `[` included.
  if (!(input instanceof Readable)) return { shape: 'lines', start: '', replay: input };
  const { head, replay } = await peek(input, bytes);
  const start = head.toString('utf8');
  return { shape: jsonShapeOf(start, head.length < bytes) ?? 'lines', start, replay };
}

interface ParsedValue {
  value: unknown;
  line: number;
}

/** Concatenated objects (json-values.ts), bad ones reported with line, offset and index. */
async function* concatenatedRecords(input: AsyncIterable<Buffer>, ctx: ReadContext, format: string): AsyncGenerator<ParsedValue[]> {
  for await (const values of scanJsonValues(input)) {
    const parsed: ParsedValue[] = [];
    for (const item of values) {
      const where = { file: ctx.file, format, line: item.line, offset: item.offset, record: item.record };
      if ('bad' in item) {
        ctx.bad({ ...where, reason: item.bad });
        continue;
      }
      try {
        parsed.push({ value: JSON.parse(item.text), line: item.line });
      } catch (err) {
        ctx.bad({ ...where, reason: `invalid JSON: ${(err as Error).message}` });
      }
    }
    if (parsed.length > 0) yield parsed;
  }
}

/** Records to events in batches, with the NDJSON reader's provenance and reasons. */
async function* batched(records: AsyncIterable<ParsedValue[]>, ctx: ReadContext, format: string, toEvent: RecordMapper): AsyncGenerator<NormalizedEvent[]> {
  const batches = new EventBatches(ctx);
  for await (const items of records) {
    for (const { value, line } of items) {
      const source: Provenance = { file: ctx.file, format, line };
      const full = batches.add(isObject(value) ? toEvent(value as Fields, source) : 'not a JSON object', source);
      if (full) yield full;
    }
  }
  const rest = batches.rest();
  if (rest) yield rest;
}
