/**
 * Line splitting on raw bytes, for the line-oriented readers (NDJSON and friends).
 *
 * Newlines are found on the Buffer (0x0A never occurs inside a UTF-8 multibyte sequence) and
 * each line is decoded on its own: decoding a whole chunk and splitting the string is slower
 * once any line has a non-ASCII character (V8 then builds one big two-byte string, and
 * JSON.parse on its slices is slower too). This is what keeps the NDJSON readers close to bare
 * `JSON.parse` speed (docs/performance.md#per-line-decoding).
 * Only the unfinished tail of a chunk is carried over, so memory is bounded by the longest line.
 */

/** Lines longer than this are dropped (and reported) instead of buffered without limit. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** The bad-record reason of such a line, for every reader of lines (files and the live sensors). */
export const OVERSIZED_LINE = `line longer than ${MAX_LINE_BYTES} bytes`;

export interface LineBlock {
  /** Complete lines, without `\n`; a `\r` of CRLF is left on (JSON.parse treats it as whitespace). */
  lines: string[];
  /** 1-based line number of `lines[0]`. */
  firstLine: number;
}

/**
 * Yields one block of lines per input chunk that completes at least one line.
 * `onOversized(line)` is called for each line longer than MAX_LINE_BYTES, which is skipped.
 */
export async function* splitLines(
  input: AsyncIterable<Buffer | string>,
  onOversized: (line: number) => void,
): AsyncGenerator<LineBlock> {
  const state: SplitState = { tail: [], tailBytes: 0, oversized: false, lineNo: 1, atStart: true, onOversized };
  const chunks = input[Symbol.asyncIterator]();
  for (;;) {
    // The chunk is not held while its lines are read (only inside splitChunk): it dies young.
    const block = splitChunk(await chunks.next(), state);
    if (block === undefined) continue;
    if (block === null) break;
    yield block;
  }
  if (state.oversized) onOversized(state.lineNo);
  else if (state.tailBytes > 0) {
    const text = Buffer.concat(state.tail).toString('utf8');
    yield { lines: [state.atStart ? stripBom(text) : text], firstLine: state.lineNo };
  }
}

interface SplitState {
  /** The unfinished last line so far: copies, so that no chunk is held after it is split. */
  tail: Buffer[];
  tailBytes: number;
  oversized: boolean;
  lineNo: number;
  atStart: boolean;
  onOversized: (line: number) => void;
}

/** The lines a chunk completes (undefined: none), or null at the end of the input. */
function splitChunk(next: IteratorResult<Buffer | string>, state: SplitState): LineBlock | undefined | null {
  if (next.done === true) return null;
  const raw = next.value;
  const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
  const last = chunk.lastIndexOf(0x0a);
  if (last < 0) {
    state.tailBytes += chunk.length;
    if (state.tailBytes > MAX_LINE_BYTES) state.oversized = true;
    if (state.oversized) state.tail = [];
    else state.tail.push(Buffer.from(chunk));
    return undefined;
  }
  const lines: string[] = [];
  let start = 0;
  let nl = chunk.indexOf(0x0a);
  if (state.tail.length > 0) {
    lines.push(Buffer.concat([...state.tail, chunk.subarray(0, nl)]).toString('utf8'));
    start = nl + 1;
    nl = chunk.indexOf(0x0a, start);
  } else if (state.oversized) {
    lines.push('');
    start = nl + 1;
    nl = chunk.indexOf(0x0a, start);
  }
  for (; nl !== -1; nl = chunk.indexOf(0x0a, start)) {
    lines.push(chunk.toString('utf8', start, nl));
    start = nl + 1;
  }
  if (state.oversized) state.onOversized(state.lineNo);
  if (state.atStart) {
    lines[0] = stripBom(lines[0]!);
    state.atStart = false;
  }
  const block = { lines, firstLine: state.lineNo };
  state.lineNo += lines.length;
  state.tail = last + 1 < chunk.length ? [Buffer.from(chunk.subarray(last + 1))] : [];
  state.tailBytes = chunk.length - last - 1;
  state.oversized = false;
  return block;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Blank or whitespace-only (including a lone `\r`). */
export function isBlank(line: string): boolean {
  return line.length === 0 || line.trim().length === 0;
}
