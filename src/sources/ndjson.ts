/**
 * The loop shared by the line-oriented readers (NDJSON ones, syslog): split lines, map each to
 * an event or a bad-record reason, yield batches.
 */
import type { Readable } from 'node:stream';
import type { Fields, NormalizedEvent, Provenance } from '../events/event.js';
import type { ReadContext, ReusedChunks } from './reader.js';
import { isBlank, OVERSIZED_LINE, splitLines } from './lines.js';

/**
 * Events per batch, for every reader. A batch's events stay alive until it is detected, so this
 * bounds what each young-generation GC has to copy: 1,000 events outlived most scavenges of a
 * worker's small young generation and got promoted; with 128 they die young
 * (docs/performance.md#128-event-batches).
 */
export const BATCH_SIZE = 128;

/**
 * Turns one parsed line into an event. `record` is freshly parsed and owned by the reader, so it
 * may be used as the event's `fields` without copying. Returning a string rejects the record as
 * bad with that reason; null says the record is no event and none was lost (a Splunk export's
 * search messages).
 */
export type RecordMapper = (record: Fields, source: Provenance) => NormalizedEvent | string | null;

/** Turns one non-blank line into an event, a string (the reason it is a bad record), or null (no event, nothing lost). */
export type LineMapper = (text: string, source: Provenance) => NormalizedEvent | string | null;

/**
 * The loop of every one-record-per-line reader: split lines, map each non-blank line, report
 * the lines the mapper rejects with their line number, yield batches.
 */
export async function* readLineRecords(input: Readable | ReusedChunks, ctx: ReadContext, format: string, toEvent: LineMapper): AsyncGenerator<NormalizedEvent[]> {
  const file = ctx.file;
  const oversized = (line: number) =>
    ctx.bad({ file, format, line, reason: OVERSIZED_LINE });
  let batch: NormalizedEvent[] = [];
  for await (const { lines, firstLine } of splitLines(input, oversized)) {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!;
      if (isBlank(text)) continue;
      const line = firstLine + i;
      const event = toEvent(text, { file, format, line });
      if (event === null) continue;
      if (typeof event === 'string') {
        ctx.bad({ file, format, line, reason: event });
        continue;
      }
      batch.push(event);
      if (batch.length >= BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

/** One JSON object per line. */
export function readNdjson(input: Readable | ReusedChunks, ctx: ReadContext, format: string, toEvent: RecordMapper): AsyncGenerator<NormalizedEvent[]> {
  return readLineRecords(input, ctx, format, (text, source) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return `invalid JSON: ${(err as Error).message}`;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
    return toEvent(value as Fields, source);
  });
}
