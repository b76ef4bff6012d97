import { describe, expect, it } from 'vitest';
import { splitLines } from '../../src/sources/lines.js';

describe('splitLines holds no input chunk once it is split', () => {
  it('keeps its own copy of an unfinished last line: a chunk it has taken may be overwritten', async () => {
    const taken: Buffer[] = [];
    async function* chunks(...parts: string[]) {
      for (const part of parts) {
        const chunk = Buffer.from(part);
        taken.push(chunk);
        yield chunk;
      }
    }
    const blocks: string[][] = [];
    for await (const block of splitLines(chunks('one\ntw', 'o-', 'and-more\nthree\n'), () => {})) {
      blocks.push(block.lines);
      for (const chunk of taken) chunk.fill(0x58);
    }
    expect(blocks).toEqual([['one'], ['two-and-more', 'three']]);
  });
});
