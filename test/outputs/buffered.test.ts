import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BufferedOut } from '../../src/outputs/buffered.js';

/** Alerts of every size around a 256-byte block: multibyte text, one larger than a block, bytes between. */
function feed(out: BufferedOut): string {
  let expected = '';
  for (let i = 0; i < 300; i++) {
    const text = `{"n":${i},"cmd":"${'é®'.repeat(i % 23)}${'x'.repeat(i % 7)}"}\n` + (i % 50 === 0 ? 'z'.repeat(200) + '\n' : '');
    out.write(text);
    expected += text;
    if (i % 40 === 0) {
      const bytes = Buffer.from(`<block ${i}>\n`);
      out.writeBytes(bytes);
      expected += `<block ${i}>\n`;
    }
  }
  out.flush();
  return expected;
}

describe('BufferedOut', () => {
  it('writes text and encoded bytes in order, in blocks, to a stream that takes them at once', () => {
    const seen: Buffer[] = [];
    const sizes: number[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        seen.push(Buffer.from(chunk)); // a copy: what was written at the time of the write
        sizes.push(chunk.length);
        done();
      },
    });
    const expected = feed(new BufferedOut(sink, 256));
    expect(Buffer.concat(seen).toString('utf8')).toBe(expected);
    // Blocks, not one write per text.
    expect(sizes.length).toBeLessThan(150);
  });

  it('never reuses a block a stream still holds (a full pipe writes later)', async () => {
    const held: Buffer[] = [];
    const sink = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _enc, done) {
        held.push(chunk); // the very buffer, not a copy
        setImmediate(done);
      },
    });
    const expected = feed(new BufferedOut(sink, 256));
    await new Promise((resolve) => sink.end(resolve));
    expect(Buffer.concat(held).toString('utf8')).toBe(expected);
  });
});
