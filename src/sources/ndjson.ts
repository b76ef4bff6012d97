/**
 * The loop shared by the line-oriented readers (NDJSON ones, syslog): split lines, map each to
 * an event or a bad-record reason, yield batches.
 */
import type { Readable } from 'node:stream';
import type { Fields, NormalizedEvent, Provenance } from '../events/event.js';
import type { ReadContext, ReusedChunks } from './reader.js';
import { EventBatches } from './event-batches.js';
import { isBlank, OVERSIZED_LINE, splitLines } from './lines.js';


/**
 * Turns one parsed line into an event. `record` is freshly parsed and owned by the reader, so it
 * may be used as the event's `fields` without copying. Returning a string rejects the record as
 * bad with that reason; null says the record is no event and none was lost (a Splunk export's
 * search messages).
 */
export type RecordMapper = (record: Fields, source: Provenance) => NormalizedEvent | string | null;

/**
 * Turns one non-blank line into an event, several (a line that holds many records, each with its
 * own provenance), a string (the reason it is a bad record), or null (no event, nothing lost).
 */
export type LineMapper = (text: string, source: Provenance) => NormalizedEvent | NormalizedEvent[] | string | null;

/**
 * The loop of every one-record-per-line reader: split lines, map each non-blank line, report
 * the lines the mapper rejects with their line number, yield batches.
 */
export async function* readLineRecords(input: Readable | ReusedChunks, ctx: ReadContext, format: string, toEvent: LineMapper): AsyncGenerator<NormalizedEvent[]> {
  const file = ctx.file;
  const oversized = (line: number) =>
    ctx.bad({ file, format, line, reason: OVERSIZED_LINE });
  const batches = new EventBatches(ctx);
  for await (const { lines, firstLine } of splitLines(input, oversized)) {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!;
      if (isBlank(text)) continue;
      const source = { file, format, line: firstLine + i };
      const outcome = toEvent(text, source);
      if (Array.isArray(outcome)) {
        for (const event of outcome) {
          const full = batches.add(event, event.source);
          if (full) yield full;
        }
        continue;
      }
      const full = batches.add(outcome, source);
      if (full) yield full;
    }
  }
  const rest = batches.rest();
  if (rest) yield rest;
}

/** One JSON object per line. */
export function readNdjson(input: Readable | ReusedChunks, ctx: ReadContext, format: string, toEvent: RecordMapper): AsyncGenerator<NormalizedEvent[]> {
  return readLineRecords(input, ctx, format, (text, source) => {
    const record = jsonObjectLine(text);
    return typeof record === 'string' ? record : toEvent(record, source);
  });
}

/** A line's JSON object, or why the line is not one (a bad record's reason). */
export function jsonObjectLine(text: string): Fields | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `invalid JSON: ${(err as Error).message}`;
  }
  return value === null || typeof value !== 'object' || Array.isArray(value) ? 'not a JSON object' : (value as Fields);
}
