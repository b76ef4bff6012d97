import { Readable } from 'node:stream';

/** How much of an input content sniffing looks at. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * Read up to `bytes` from the stream, then hand back a stream that replays them followed by the
 * rest: sniffing must not lose the head of a pipe (stdin cannot be reopened).
 */
export async function peek(stream: Readable, bytes: number): Promise<{ head: Buffer; replay: Readable }> {
  const chunks = stream[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  // A stream that fails inside the head (a cut gzip member) is sniffed by what it gave, and its
  // reader meets the error after those bytes: the records before it are read, not lost.
  let failed: unknown;
  while (size < bytes) {
    let next;
    try {
      next = await chunks.next();
    } catch (err) {
      if (size === 0) throw err;
      failed = err;
    }
    if (next === undefined || next.done) {
      done = true;
      break;
    }
    const chunk: Buffer = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    head.push(chunk);
    size += chunk.length;
  }
  async function* replayAll(): AsyncGenerator<Buffer> {
    yield* head;
    if (failed !== undefined) throw failed;
    if (done) return;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
  }
  return { head: Buffer.concat(head).subarray(0, bytes), replay: Readable.from(replayAll(), { objectMode: false }) };
}
