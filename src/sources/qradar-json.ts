/**
 * QRadar Ariel JSON export: `{"events": [ {column: value, ...}, ... ]}`, streamed record by
 * record (json-records.ts): the array is never held in memory, and a record with a syntax error
 * is reported with its line and index while the records around it are read.
 */
import type { Readable } from 'node:stream';
import type { Fields, NormalizedEvent } from '../events/event.js';
import { parseRecords } from './json-records.js';
import { BATCH_SIZE } from './event-batches.js';
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
  let batch: NormalizedEvent[] = [];
  for await (const records of parseRecords(input, ctx, FORMAT, { member: /^events$/, describe: '"events"' })) {
    for (const { value, line, record } of records) {
      const event = toEvent(value, record, line, ctx);
      if (event === undefined) continue;
      batch.push(event);
      if (batch.length >= BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

function toEvent(value: unknown, record: number, line: number, ctx: ReadContext): NormalizedEvent | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.bad({ file: ctx.file, format: FORMAT, line, record, reason: 'event is not a JSON object' });
    return undefined;
  }
  const starttime = (value as Fields).starttime;
  if (typeof starttime !== 'number') {
    ctx.bad({ file: ctx.file, format: FORMAT, line, record, reason: 'starttime is not a number (epoch ms)' });
    return undefined;
  }
  return qradarEvent(withoutNulls(value as Fields), starttime, { file: ctx.file, format: FORMAT, record });
}

/** JSON null is QRadar NULL, which must be absent from the event. */
function withoutNulls(row: Fields): Fields {
  for (const key in row) if (row[key] === null) delete row[key];
  return row;
}
