/**
 * The first JSON line of a sniffing head, read as far as the head holds it. A first record longer
 * than the head (a PowerShell 4104 script block, a Defender row with a huge command line, an
 * encoded payload) is cut short by it, and JSON.parse rejects the whole line; the members the
 * head holds whole still say which format the record is in.
 *
 * A single-pass scanner over the line tracks nesting and skips strings (by indexOf), then one
 * JSON.parse turns the part before the cut into the object:
 * - a member whole within the head is kept exactly as JSON.parse makes it;
 * - an object or array the cut falls in is kept with its entries that are whole (so
 *   `"winlog": {"channel": …, "event_data": {"ScriptBlockText": <cut>` still shows a `winlog`
 *   object, `{"Results": [<cut>` still shows a `Results` array);
 * - a string, number or literal the cut falls in is left out, with its key.
 * So a sniffer sees part of what it sees in the whole record, never a value the record lacks.
 * `firstJsonRecord` reads the first record of a JSON array or of pretty-printed objects the same
 * way (json-shape.ts): over its lines, up to where its object closes.
 */

import { BACKSLASH } from './json-bytes.js';
import { jsonShapeOf, type JsonShape } from './json-shape.js';

/** A top-level string member the head ends inside, and the text of it that the head holds. */
export interface CutString {
  key: string;
  start: string;
}

export interface JsonLineHead {
  members: Record<string, unknown>;
  /** Set when the head ends inside a top-level string value (e.g. a long `message`). */
  cut?: CutString;
}

/** An open object or array, and where the text to keep ends if the head is cut inside it. */
interface Open {
  closer: '}' | ']';
  /** Just after its last whole entry (or its opening bracket). */
  kept: number;
  /** Where its entry in progress begins (its key, for an object), for CutString. */
  entry: number;
}

type Expect = 'value' | 'key' | 'colon' | 'next';

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** A number the end of the text may have cut short. */
const NUMBER_START = /-?(?:\d+(?:\.\d*)?(?:[eE][+-]?\d*)?)?$/y;
const LITERALS = ['true', 'false', 'null'];
/** The escapes of a string's text that are whole (one cut after its `\` or inside `\uXXXX` is not). */
const WHOLE_ESCAPES = /^[^\\]*(?:\\(?:[^u]|u[0-9a-fA-F]{4})[^\\]*)*/;

/**
 * The first line of `head` as a JSON object: parsed whole when the head holds the whole line (a
 * newline follows it, or the object closes), else the part before the cut as described above.
 * Undefined when the line is not (the start of) a JSON object.
 */
export function jsonLineHead(head: string): JsonLineHead | undefined {
  // sniffFormat asks every JSON sniffer about the same head: a cut one is scanned once.
  if (last?.head !== head) last = { head, read: readLineHead(head) };
  return last.read;
}

let last: { head: string; read: JsonLineHead | undefined } | undefined;

function readLineHead(head: string): JsonLineHead | undefined {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  const end = text.indexOf('\n');
  if (end >= 0) {
    const members = parseObject(text.slice(0, end));
    return members && { members };
  }
  return scanCutLine(text);
}

/** What the JSON sniffers look at: jsonLineHead's members. */
export function firstJsonLine(head: string): Record<string, unknown> | undefined {
  return jsonLineHead(head)?.members;
}

/**
 * The members of the first record of a head in any shape of `json-shape.ts`: the first line of
 * NDJSON (firstJsonLine), or the first object of a JSON array or of pretty-printed objects, which
 * may span lines and be cut by the head like a line.
 */
export function firstJsonRecord(head: string): Record<string, unknown> | undefined {
  const shape = jsonShapeOf(head) ?? 'lines';
  if (shape === 'lines') return firstJsonLine(head);
  if (lastRecord?.head !== head) lastRecord = { head, read: readRecordHead(head, shape) };
  return lastRecord.read;
}

let lastRecord: { head: string; read: Record<string, unknown> | undefined } | undefined;

function readRecordHead(head: string, shape: JsonShape): Record<string, unknown> | undefined {
  let text = head.replace(/^\uFEFF/, '').trimStart();
  if (shape === 'array') text = text.slice(1).trimStart();
  return scanCutLine(text, false)?.members;
}

/**
 * `line` from its `{`: a line the head cut (`ownLine`: the object must be all of it), or a record
 * of an array or of pretty-printed objects, over lines and followed by more (the record ends where
 * its object closes). Such a record with a syntax error is read up to it, as if cut there: the
 * reader reports that record and reads the next, so the members before the error still say
 * whose it is (a one-line record with an error is no JSON line, as before).
 */
function scanCutLine(line: string, ownLine = true): JsonLineHead | undefined {
  if (line[0] !== '{') return undefined;
  const open: Open[] = [{ closer: '}', kept: 1, entry: 1 }];
  const syntaxError = () => (ownLine ? undefined : cutShort(line, open));
  let at = 1;
  let expect: Expect = 'key';
  let empty = true; // right after `{` or `[`: the container may close at once
  const match = (pattern: RegExp): number => {
    pattern.lastIndex = at;
    return pattern.test(line) ? pattern.lastIndex : -1;
  };
  for (;;) {
    while (at < line.length && isWhitespace(line.charCodeAt(at))) at++;
    if (at === line.length) return cutShort(line, open);
    const top = open[open.length - 1]!;
    const c = line[at]!;
    if ((expect === 'next' || empty) && c === top.closer) {
      open.pop();
      at++;
      if (open.length === 0) {
        const members = parseObject(ownLine ? line : line.slice(0, at)); // the record ends within the head
        return members && { members };
      }
      open[open.length - 1]!.kept = at;
      expect = 'next';
      empty = false;
      continue;
    }
    empty = false;
    if (expect === 'next') {
      if (c !== ',') return syntaxError();
      at++;
      top.entry = at;
      expect = top.closer === '}' ? 'key' : 'value';
      continue;
    }
    if (expect === 'colon') {
      if (c !== ':') return syntaxError();
      at++;
      expect = 'value';
      continue;
    }
    if (expect === 'key') {
      if (c !== '"') return syntaxError();
      const end = stringEnd(line, at);
      if (end < 0) return cutShort(line, open, { at, value: false });
      at = end;
      expect = 'colon';
      continue;
    }
    // A value.
    if (c === '{' || c === '[') {
      open.push({ closer: c === '{' ? '}' : ']', kept: at + 1, entry: at + 1 });
      at++;
      expect = c === '{' ? 'key' : 'value';
      empty = true;
      continue;
    }
    let end: number;
    if (c === '"') {
      end = stringEnd(line, at);
      if (end < 0) return cutShort(line, open, { at, value: true });
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      end = match(NUMBER);
      // A number that runs to the cut (`12`, `-`, `1.`, `1.5e-`) may go on past it.
      if ((end < 0 || end + 2 >= line.length) && match(NUMBER_START) === line.length) return cutShort(line, open);
      if (end < 0) return syntaxError();
    } else {
      const literal = LITERALS.find((word) => word[0] === c);
      if (literal === undefined) return syntaxError();
      if (!line.startsWith(literal, at)) return literal.startsWith(line.slice(at)) ? cutShort(line, open) : syntaxError();
      end = at + literal.length;
    }
    at = end;
    top.kept = at;
    expect = 'next';
  }
}

/** JSON's blanks (a line the head cut has no newline; a pretty-printed record has them between its members). */
function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}

/**
 * Just past the closing quote of the string opening at `at`, -1 if the line ends inside it. By
 * indexOf: a long string (the usual cut one) costs a memchr, not a regular expression's steps.
 */
function stringEnd(line: string, at: number): number {
  for (let quote = line.indexOf('"', at + 1); quote >= 0; quote = line.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (line.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
  }
  return -1;
}

/**
 * The line cut: everything up to the innermost open container's last whole entry, closed.
 * `string`: the string (a key, or a value) the cut falls in, if it does; its text must be JSON too.
 */
function cutShort(line: string, open: Open[], string?: { at: number; value: boolean }): JsonLineHead | undefined {
  const innermost = open[open.length - 1]!;
  const closers = open.map((o) => o.closer).reverse().join('');
  const members = parseObject(line.slice(0, innermost.kept) + closers);
  if (members === undefined || string === undefined) return members && { members };
  const start = stringStart(line.slice(string.at + 1));
  if (start === undefined) return undefined;
  const key = string.value && open.length === 1 ? memberKey(line.slice(innermost.entry, string.at)) : undefined;
  return key === undefined ? { members } : { members, cut: { key, start } };
}

/**
 * The text of a string cut short (`raw`: after its opening quote), without an escape the cut split
 * or the U+FFFD that decoding makes of a character whose bytes the cut split.
 */
function stringStart(raw: string): string | undefined {
  return parseString(WHOLE_ESCAPES.exec(raw.replace(/\uFFFD$/, ''))![0]);
}

/** The key of a member from its text up to its value (`, "key": `). */
function memberKey(text: string): string | undefined {
  const quoted = /^[\s,]*"([^"\\]*(?:\\.[^"\\]*)*)"/.exec(text);
  return quoted === null ? undefined : parseString(quoted[1]!);
}

/** A JSON string's content (between its quotes) decoded; undefined for a control character or a bad escape. */
function parseString(content: string): string | undefined {
  try {
    return JSON.parse(`"${content}"`) as string;
  } catch {
    return undefined;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
