/**
 * Splits a JSON document holding an array of records (`{"events": [ … ]}` for QRadar,
 * `{"Schema": …, "Results": [ … ]}` or a bare `[ … ]` for Defender) into the text of each record,
 * streamed: only the record being read is held in memory.
 *
 * A streaming JSON parser (stream-json) stops at the first syntax error, and with its read-ahead
 * the records before the error were lost too. Here a small scanner tracks strings, escapes and
 * bracket depth only, so a record with a syntax error that keeps its brackets balanced (a
 * missing `:` or `,`, a bad literal) is still cut out whole: JSON.parse then rejects that record
 * alone, with its line and index. A record that breaks the structure (an unclosed string or
 * bracket) is resynchronised on the next line that starts (after indentation) with `{` at the
 * record's own column or left of it: exports write one record per line or pretty-print them at
 * one indentation, nested objects sit further right, and a JSON string never holds a raw newline.
 */

import type { ReadContext } from './reader.js';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Records larger than this are reported and dropped instead of buffered without limit. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
/** Keys of the wrapper object longer than this cannot name the record array. */
const MAX_KEY_BYTES = 64;

export type ScannedRecord =
  | { text: string; line: number; offset: number; record: number }
  | { bad: string; line: number; offset: number; record?: number };

export interface RecordArrayOptions {
  /** Name of the wrapper object's member that holds the records; absent: a bare top-level array. */
  member?: RegExp;
  /** How to name the array in messages (`"events" array`). */
  describe: string;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/** Yields, per input chunk, the records completed in it and the bad spans found. */
export async function* scanRecordArray(input: AsyncIterable<Buffer | string>, options: RecordArrayOptions): AsyncGenerator<ScannedRecord[]> {
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
  // Wrapper member names: the last string read at depth 1, and the member it names.
  let keyBytes: number[] | undefined;
  let lastString = '';
  let member = '';
  // The record being cut out (inRecord): where it starts, its depth, its bytes so far.
  let inRecord = false;
  let scalar = false; // a record that is not an object or array: ends at `,`, `]` or a newline
  let recordDepth = 0;
  let recordLine = 0;
  let recordOffset = 0;
  let recordColumn = 0;
  let recordIndex = 0;
  let broken = false; // a raw newline inside one of its strings
  let parts: Buffer[] = [];
  let recordBytes = 0;
  let tooLarge = false;
  let out: ScannedRecord[] = [];

  const reportBad = (reason: string) => {
    out.push({ bad: reason, line: recordLine, offset: recordOffset, record: recordIndex++ });
    inRecord = false;
    parts = [];
  };
  const startRecord = (offset: number, b: number, isScalar: boolean) => {
    inRecord = true;
    scalar = isScalar;
    recordDepth = depth;
    recordLine = line;
    recordOffset = offset;
    recordColumn = column;
    broken = false;
    parts = [];
    recordBytes = 0;
    tooLarge = false;
    inString = b === QUOTE;
    escaped = false;
  };

  for await (const raw of input) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    let recordStart = inRecord ? 0 : -1;
    const finish = (end: number) => {
      if (tooLarge || recordBytes + end - recordStart > MAX_RECORD_BYTES) {
        reportBad(`record larger than ${MAX_RECORD_BYTES} bytes`);
      } else if (broken) {
        reportBad('invalid JSON: a string is not closed on its line');
      } else {
        parts.push(chunk.subarray(recordStart, end));
        const text = parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8');
        out.push({ text, line: recordLine, offset: recordOffset, record: recordIndex++ });
        inRecord = false;
        parts = [];
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
        if (lineStart && b === OPEN_BRACE && col <= recordColumn && !scalar) {
          // A new record starts at this record's column (or left of it): this one is cut short.
          depth = recordDepth;
          reportBad(broken ? 'invalid JSON: a string is not closed on its line' : 'incomplete record (the next record starts before it ends)');
          startRecord(base + i, b, false);
          depth++;
          recordStart = i;
          continue;
        }
        if (inString) {
          if (escaped) escaped = false;
          else if (b === BACKSLASH) escaped = true;
          else if (b === QUOTE) inString = false;
          else if (b === NEWLINE) {
            inString = false;
            broken = true;
          }
          continue;
        }
        if (!scalar) {
          if (b === QUOTE) inString = true;
          else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
          else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
            depth--;
            if (depth === recordDepth) finish(i + 1);
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
        const nested = b === OPEN_BRACE || b === OPEN_BRACKET;
        startRecord(base + i, b, !nested);
        if (nested) depth++;
        recordStart = i;
        continue;
      }
      if (b === QUOTE) {
        inString = true;
        keyBytes = depth === 1 ? [] : undefined;
      } else if (b === COLON) {
        if (depth === 1) member = lastString;
      } else if (b === COMMA) {
        if (depth === 1) member = '';
      } else if (b === OPEN_BRACKET) {
        depth++;
        const isRecords = options.member === undefined ? depth === 1 : depth === 2 && options.member.test(member);
        if (isRecords && !arrayFound) {
          arrayFound = true;
          recordsDepth = depth;
        }
      } else if (b === OPEN_BRACE) depth++;
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth = Math.max(0, depth - 1);
    }
    if (inRecord && recordStart >= 0 && !tooLarge) {
      recordBytes += chunk.length - recordStart;
      if (recordBytes > MAX_RECORD_BYTES) {
        tooLarge = true;
        parts = [];
      } else parts.push(chunk.subarray(recordStart));
    }
    base += chunk.length;
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
  if (inRecord) {
    if (scalar && !tooLarge && !broken) {
      const text = Buffer.concat(parts).toString('utf8');
      out.push({ text, line: recordLine, offset: recordOffset, record: recordIndex++ });
    } else reportBad('incomplete record at end of input');
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
