import { SNIFF_BYTES } from './peek.js';

/**
 * The first significant byte of an input (past a UTF-8 byte order mark and blanks), for readers
 * of one format written two ways (CSV or JSON) to pick their loop; undefined when the input, or
 * as much of it as its format was sniffed from, holds none. The chunks read to find it are copied
 * (a range's chunks are reused buffers) and replayed before the rest: at most about the sniffed
 * head, so an input of blanks is not held whole.
 */
export async function firstByte(input: AsyncIterable<Buffer | string>): Promise<{ first: number | undefined; replay: AsyncIterable<Buffer> }> {
  const chunks = input[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let held = 0;
  let first: number | undefined;
  let done = false;
  while (first === undefined && held < SNIFF_BYTES) {
    const next = await chunks.next();
    if (next.done === true) {
      done = true;
      break;
    }
    const chunk = Buffer.from(next.value as Buffer | string);
    first = firstSignificantByte(chunk, seen.length === 0);
    seen.push(chunk);
    held += chunk.length;
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield* seen;
    if (done) return;
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) yield next.value as Buffer;
  }
  return { first, replay: replay() };
}

function firstSignificantByte(chunk: Buffer, atStart: boolean): number | undefined {
  let at = atStart && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
  while (at < chunk.length && (chunk[at] === 0x20 || chunk[at] === 0x09 || chunk[at] === 0x0a || chunk[at] === 0x0d)) at++;
  return at < chunk.length ? chunk[at] : undefined;
}
