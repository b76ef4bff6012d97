/**
 * QRadar Ariel JSON export: `{"events": [ {column: value, ...}, ... ]}`, streamed with
 * stream-json (the array is never held in memory as a whole).
 */
import { pipeline, type Readable } from 'node:stream';
import pick from 'stream-json/filters/pick.js';
import streamArray from 'stream-json/streamers/stream-array.js';
import type { Fields, NormalizedEvent } from '../events/event.js';
import { BATCH_SIZE } from './ndjson.js';
import { hasQRadarColumns, qradarEvent } from './qradar-columns.js';
import type { ReadContext, SourceReader } from './reader.js';

const FORMAT = 'qradar-json';

export const qradarJsonReader: SourceReader = {
  format: FORMAT,
  description: 'QRadar Ariel JSON export {"events": [...]} with AQL column names',
  sniff(head) {
    if (!/^\uFEFF?\s*\{\s*"events"\s*:\s*\[/.test(head)) return 0;
    return hasQRadarColumns(head) ? 0.95 : 0.6;
  },
  read: readQRadarJson,
};

async function* readQRadarJson(input: Readable, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  const items = streamArray.asStream();
  // pipeline() forwards errors from every stage to `items`, so the loop below sees them.
  pipeline(input, pick.withParserAsStream({ filter: 'events' }), items, () => {});
  let batch: NormalizedEvent[] = [];
  let next = 0;
  try {
    for await (const { key, value } of items as AsyncIterable<{ key: number; value: unknown }>) {
      next = key + 1;
      const event = toEvent(value, key, ctx);
      if (event === undefined) continue;
      batch.push(event);
      if (batch.length >= BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
  } catch (err) {
    // A syntax error inside one JSON document cannot be skipped reliably: report and stop.
    ctx.bad({ file: ctx.file, format: FORMAT, record: next, reason: `invalid JSON, rest of file skipped: ${(err as Error).message}` });
  }
  if (batch.length > 0) yield batch;
}

function toEvent(value: unknown, record: number, ctx: ReadContext): NormalizedEvent | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.bad({ file: ctx.file, format: FORMAT, record, reason: 'event is not a JSON object' });
    return undefined;
  }
  const starttime = (value as Fields).starttime;
  if (typeof starttime !== 'number') {
    ctx.bad({ file: ctx.file, format: FORMAT, record, reason: 'starttime is not a number (epoch ms)' });
    return undefined;
  }
  return qradarEvent(withoutNulls(value as Fields), starttime, { file: ctx.file, format: FORMAT, record });
}

/** JSON null is QRadar NULL, which must be absent from the event. */
function withoutNulls(row: Fields): Fields {
  for (const key in row) if (row[key] === null) delete row[key];
  return row;
}
