/**
 * Splits a JSON document holding an array of records (`{"events": [ … ]}` for QRadar,
 * `{"Schema": …, "Results": [ … ]}` or a bare `[ … ]` for Defender) into the text of each record,
 * streamed: only the record being read is held in memory.
 *
 * A streaming JSON parser (stream-json) stops at the first syntax error, and with its read-ahead
 * the records before the error were lost too. Here a small scanner tracks strings, escapes and
 * brackets only, so a record with a syntax error that keeps its brackets balanced (a missing `:`
 * or `,`, a bad literal) is still cut out whole: JSON.parse then rejects that record alone, with
 * its line and index. A record that breaks the structure (a string not closed on its line, a
 * bracket closing what it did not open, one never closed) is skipped up to the next line that
 * starts (after indentation) with `{` or with the array's `]` at the record's own column or left
 * of it: exports write one record per line or pretty-print them at one indentation, nested
 * values sit further right, and a JSON string never holds a raw newline.
 *
 * Documents one after another (pages of an export appended to one file) each have their array
 * read; other text after an array is one bad record.
 */

import { BoundedSpan } from './bounded-span.js';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, NEWLINE, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-bytes.js';
import type { ReadContext } from './reader.js';

/** Records larger than this are reported and dropped instead of buffered without limit. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
/** Deeper records are reported (the bracket stack stays small whatever the input). */
export const MAX_RECORD_DEPTH = 10_000;
/** Keys of the wrapper object longer than this cannot name the record array. */
const MAX_KEY_BYTES = 64;

export type ScannedRecord =
  | { text: string; line: number; offset: number; record: number }
  | { bad: string; line: number; offset: number; record?: number };

export interface RecordArrayOptions {
  /**
   * Name of the wrapper object's member that holds the records, or the names of the members down
   * to it (`hits` then `hits` in an Elasticsearch search response); absent: a bare top-level array.
   */
  member?: RegExp | readonly RegExp[];
  /** How to name the array in messages (`"events" array`). */
  describe: string;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** Yields, per input chunk, the records completed in it and the bad spans found. */
export async function* scanRecordArray(input: AsyncIterable<Buffer | string>, options: RecordArrayOptions): AsyncGenerator<ScannedRecord[]> {
  const path: readonly RegExp[] = options.member === undefined ? [] : options.member instanceof RegExp ? [options.member] : options.member;
  let line = 1;
  let column = 0; // of the current byte, 0-based
  let indentOnly = true; // only blanks so far on this line
  let base = 0;
  let depth = 0; // bracket depth of the whole document
  let inString = false;
  let escaped = false;
  let recordsDepth = -1; // depth inside the record array, once found
  let arrayFound = false;
  let arrayClosed = false;
  let strayReported = false; // text after the closed array, reported once
  // Wrapper member names: the last string read at a depth of the path, and per depth the member
  // being read (members[d] at depth d: the top-level object's is members[1]).
  let keyBytes: number[] | undefined;
  let lastString = '';
  const members: string[] = [];
  // The record being cut out (inRecord): where it starts, its bytes so far.
  let inRecord = false;
  let scalar = false; // a record that is not an object or array: ends at `,`, `]` or a newline
  let recordLine = 0;
  let recordOffset = 0;
  let recordColumn = 0;
  let recordIndex = 0;
  // Why the record cannot be JSON, once that is known: it is skipped up to the next record.
  let broken: string | undefined;
  let open: number[] = []; // the record's open brackets
  const span = new BoundedSpan(MAX_RECORD_BYTES);
  let out: ScannedRecord[] = [];

  const reportBad = (reason: string) => {
    out.push({ bad: reason, line: recordLine, offset: recordOffset, record: recordIndex++ });
    inRecord = false;
    span.reset();
  };
  const startRecord = (offset: number, b: number, isScalar: boolean) => {
    inRecord = true;
    scalar = isScalar;
    recordLine = line;
    recordOffset = offset;
    recordColumn = column - 1; // 0-based, as `col` below
    broken = undefined;
    open = isScalar ? [] : [b];
    span.reset();
    inString = b === QUOTE;
    escaped = false;
  };

  for await (const raw of input) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    let recordStart = inRecord ? 0 : -1;
    const finish = (end: number) => {
      const text = span.finish(chunk, recordStart, end);
      if (text === undefined) reportBad(`record larger than ${MAX_RECORD_BYTES} bytes`);
      else {
        out.push({ text, line: recordLine, offset: recordOffset, record: recordIndex++ });
        inRecord = false;
      }
      recordStart = -1;
    };
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      const lineStart = indentOnly && b !== 0x20 && b !== 0x09;
      if (b === NEWLINE) {
        line++;
        column = 0;
        indentOnly = true;
      } else {
        if (lineStart) indentOnly = false;
        column++;
      }
      const col = column - 1;

      if (inRecord) {
        if (lineStart && col <= recordColumn && !scalar && (b === OPEN_BRACE || b === CLOSE_BRACKET)) {
          // The next record, or the end of the array, at this record's column or left of it:
          // this one is cut short (or broken, and skipped up to here).
          reportBad(broken ?? (b === OPEN_BRACE ? 'incomplete record (the next record starts before it ends)' : 'incomplete record (the array ends before it)'));
          if (b === OPEN_BRACE) {
            startRecord(base + i, b, false);
            recordStart = i;
            continue;
          }
          // `]`: read on below, where it closes the array.
        } else {
          if (broken !== undefined) continue;
          if (inString) {
            if (escaped) escaped = false;
            else if (b === BACKSLASH) escaped = true;
            else if (b === QUOTE) inString = false;
            else if (b === NEWLINE) {
              inString = false;
              broken = 'invalid JSON: a string is not closed on its line';
            }
            continue;
          }
          if (!scalar) {
            if (b === QUOTE) inString = true;
            else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
              if (open.length >= MAX_RECORD_DEPTH) broken = `record nested deeper than ${MAX_RECORD_DEPTH} levels`;
              else open.push(b);
            } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
              if (open.pop() !== (b === CLOSE_BRACE ? OPEN_BRACE : OPEN_BRACKET)) broken = `invalid JSON: '${String.fromCharCode(b)}' closes a bracket it did not open`;
              else if (open.length === 0) finish(i + 1);
            }
            continue;
          }
          if (b === QUOTE) {
            inString = true;
            continue;
          }
          if (b !== COMMA && b !== CLOSE_BRACKET && b !== CLOSE_BRACE && b !== NEWLINE) continue;
          finish(i); // the delimiter belongs to the array: read on below
        }
      }

      // Outside a record: the wrapper, or between records.
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE || b === NEWLINE) {
          inString = false;
          if (keyBytes !== undefined) lastString = Buffer.from(keyBytes).toString('utf8');
          keyBytes = undefined;
          continue;
        }
        if (keyBytes !== undefined) {
          if (keyBytes.length < MAX_KEY_BYTES) keyBytes.push(b);
          else keyBytes = undefined;
        }
        continue;
      }
      if (depth === recordsDepth) {
        if (isSpace(b) || b === COMMA) continue;
        if (b === CLOSE_BRACKET) {
          depth--;
          recordsDepth = -1;
          arrayClosed = true;
          continue;
        }
        startRecord(base + i, b, b !== OPEN_BRACE && b !== OPEN_BRACKET);
        recordStart = i;
        continue;
      }
      if (depth === 0 && arrayClosed && !isSpace(b) && b !== (path.length === 0 ? OPEN_BRACKET : OPEN_BRACE)) {
        // Past the end of the document: not another one (an export appended to), so not read.
        if (!strayReported) out.push({ bad: `unexpected text after the ${options.describe} array`, line, offset: base + i });
        strayReported = true;
      }
      if (b === QUOTE) {
        inString = true;
        keyBytes = depth >= 1 && depth <= path.length ? [] : undefined;
      } else if (b === COLON) {
        if (depth <= path.length) members[depth] = lastString;
      } else if (b === COMMA) {
        if (depth <= path.length) members[depth] = '';
      } else if (b === OPEN_BRACKET) {
        depth++;
        if (depth <= path.length) members[depth] = ''; // an array on the way names no member
        const isRecords = depth === path.length + 1 && path.every((name, i) => name.test(members[i + 1] ?? ''));
        // Documents one after another (pages of an export appended to one file): each one's array is read.
        if (isRecords && (!arrayFound || arrayClosed)) {
          arrayFound = true;
          arrayClosed = false;
          strayReported = false;
          recordsDepth = depth;
        }
      } else if (b === OPEN_BRACE) {
        depth++;
        if (depth <= path.length) members[depth] = '';
      }
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth = Math.max(0, depth - 1);
    }
    if (inRecord && recordStart >= 0 && broken === undefined) span.carry(chunk, recordStart);
    base += chunk.length;
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
  if (inRecord) {
    if (scalar && !span.tooLarge && broken === undefined) {
      out.push({ text: span.text(), line: recordLine, offset: recordOffset, record: recordIndex++ });
    } else reportBad(broken ?? 'incomplete record at end of input');
  }
  if (!arrayFound) out.push({ bad: `no ${options.describe} array found`, line: 1, offset: 0 });
  else if (!arrayClosed) out.push({ bad: `input ends before the ${options.describe} array closes (truncated export?)`, line, offset: base });
  if (out.length > 0) yield out;
}

export interface ParsedRecord {
  value: unknown;
  line: number;
  record: number;
}

/**
 * The records of the array parsed, per chunk; a record JSON.parse rejects and every bad span is
 * reported to `ctx.bad` with its line, byte offset and record index.
 */
export async function* parseRecords(
  input: AsyncIterable<Buffer | string>,
  ctx: ReadContext,
  format: string,
  options: RecordArrayOptions,
): AsyncGenerator<ParsedRecord[]> {
  for await (const scanned of scanRecordArray(input, options)) {
    const parsed: ParsedRecord[] = [];
    for (const item of scanned) {
      const where = { file: ctx.file, format, line: item.line, offset: item.offset, record: item.record };
      if ('bad' in item) {
        ctx.bad({ ...where, reason: item.bad });
        continue;
      }
      try {
        parsed.push({ value: JSON.parse(item.text), line: item.line, record: item.record });
      } catch (err) {
        ctx.bad({ ...where, reason: `invalid JSON: ${(err as Error).message}` });
      }
    }
    if (parsed.length > 0) yield parsed;
  }
}
