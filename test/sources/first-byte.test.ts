import { describe, expect, it } from 'vitest';
import { firstByte } from '../../src/sources/first-byte.js';

async function collect(chunks: AsyncIterable<Buffer>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk.toString('latin1');
  return text;
}

describe('firstByte (sources/first-byte.ts)', () => {
  it('finds the first byte past a BOM and blanks, over several chunks, and replays every byte', async () => {
    const parts = ['\uFEFF', '  \r\n', '\t', ' {"a":1}\n', 'x,y\n'].map((p) => Buffer.from(p));
    const { first, replay } = await firstByte((async function* () { yield* parts; })());
    expect(first).toBe(0x7b);
    expect(await collect(replay)).toBe(Buffer.concat(parts).toString('latin1'));
  });

  it('holds no more than about the sniffed head of an input of blanks (never ending here)', async () => {
    let read = 0;
    const blanks = (async function* () {
      for (;;) {
        read += 1;
        // A macrotask turn: a firstByte that never stops fails by the test's timeout, not a hang.
        await new Promise((resolve) => setImmediate(resolve));
        yield Buffer.alloc(4096, 0x20);
      }
    })();
    const { first, replay } = await firstByte(blanks);
    expect(first).toBeUndefined();
    expect(read).toBe(16);
    // The rest still comes, after the chunks held.
    const iterator = replay[Symbol.asyncIterator]();
    for (let i = 0; i < 20; i += 1) expect((await iterator.next()).value).toHaveLength(4096);
  });
});
