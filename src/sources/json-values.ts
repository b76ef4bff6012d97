/**
 * Splits a byte stream of concatenated top-level JSON objects (pretty-printed one after another,
 * or one per line, as evtx_dump writes them) into the text of each object, without holding more
 * than one object in memory.
 *
 * A small scanner tracks string/escape state and brace depth. Resynchronisation after a broken
 * object: a `{` in the FIRST column of a line always starts a new top-level object, because a
 * pretty-printer indents nested objects and a valid JSON string cannot contain a raw newline.
 * The broken object is then reported with the line it started on.
 */

import { BoundedSpan } from './bounded-span.js';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COMMA, NEWLINE, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-bytes.js';

/** Objects larger than this are reported and dropped instead of buffered without limit. */
export const MAX_VALUE_BYTES = 64 * 1024 * 1024;
/** How much stray text to quote in a bad-record reason. */
const JUNK_QUOTE_BYTES = 80;

export type ScannedValue =
  | { text: string; line: number; offset: number; record: number }
  | { bad: string; line: number; offset: number; record?: number };

export interface ScanOptions {
  /** Stray text between objects that is expected and skipped silently (e.g. evtx_dump's `Record 12`). */
  ignoreBetween?: RegExp;
}

/** Yields, per input chunk, the objects completed in it (and the bad spans found). */
export async function* scanJsonValues(
  input: AsyncIterable<Buffer | string>,
  options: ScanOptions = {},
): AsyncGenerator<ScannedValue[]> {
  let line = 1;
  let atLineStart = true;
  let base = 0; // byte offset of the current chunk
  let depth = 0;
  let inString = false;
  let escaped = false;
  const span = new BoundedSpan(MAX_VALUE_BYTES);
  let valueLine = 0;
  let valueOffset = 0;
  let record = 0;
  let junk: number[] = [];
  let junkLine = 0;
  let junkOffset = 0;
  let out: ScannedValue[] = [];

  const flushJunk = () => {
    if (junk.length === 0) return;
    const text = Buffer.from(junk).toString('utf8').trim();
    if (text !== '' && !options.ignoreBetween?.test(text)) {
      out.push({ bad: `unexpected text outside a JSON object: ${JSON.stringify(text)}`, line: junkLine, offset: junkOffset });
    }
    junk = [];
  };
  const startValue = (offset: number) => {
    flushJunk();
    depth = 1;
    inString = false;
    escaped = false;
    span.reset();
    valueLine = line;
    valueOffset = offset;
  };
  const reportBroken = (reason: string) => {
    out.push({ bad: reason, line: valueLine, offset: valueOffset, record: record++ });
  };

  for await (const raw of input) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    let valueStart = depth > 0 ? 0 : -1; // where the current object starts in this chunk
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      const lineStart = atLineStart;
      atLineStart = b === NEWLINE;
      if (b === NEWLINE) line++;
      if (depth === 0) {
        if (b === OPEN_BRACE) {
          startValue(base + i);
          valueStart = i;
        } else if (junk.length > 0) {
          if (junk.length < JUNK_QUOTE_BYTES) junk.push(b === NEWLINE || b === 0x0d ? 0x20 : b);
        } else if (b > 0x20 && b !== COMMA && b !== OPEN_BRACKET && b !== CLOSE_BRACKET) {
          // Whitespace, commas and brackets between objects are fine: a JSON array of objects reads too.
          junkLine = line;
          junkOffset = base + i;
          junk.push(b);
        }
        continue;
      }
      if (lineStart && b === OPEN_BRACE) {
        reportBroken('incomplete JSON object (a new object starts before it ends)');
        startValue(base + i);
        valueStart = i;
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE || b === NEWLINE) inString = false; // a raw newline breaks the string: JSON.parse reports it
        continue;
      }
      if (b === QUOTE) inString = true;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) {
          const text = span.finish(chunk, valueStart, i + 1);
          if (text === undefined) reportBroken(`JSON object larger than ${MAX_VALUE_BYTES} bytes`);
          else out.push({ text, line: valueLine, offset: valueOffset, record: record++ });
          valueStart = -1;
        }
      }
    }
    if (depth > 0 && valueStart >= 0) span.carry(chunk, valueStart);
    base += chunk.length;
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
  if (depth > 0) reportBroken('incomplete JSON object at end of input');
  flushJunk();
  if (out.length > 0) yield out;
}
