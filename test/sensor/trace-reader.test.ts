import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TraceReader } from '../../src/sensor/trace-reader.js';

/**
 * A FIFO as a net.Socket with `readableHighWaterMark: 1` reads it: nothing is read while the
 * stream is paused, and one read takes everything written since the last.
 */
class FakeFifo extends Readable {
  private pending = '';
  private ended = false;
  private wanted = false;
  reads = 0;

  constructor() {
    super({ highWaterMark: 1 });
  }

  get unread(): number {
    return this.pending.length;
  }

  write(text: string): void {
    this.pending += text;
    if (this.wanted) this.deliver();
  }

  end(): void {
    this.ended = true;
    if (this.wanted) this.deliver();
  }

  override _read(): void {
    this.wanted = true;
    if (this.pending || this.ended) this.deliver();
  }

  private deliver(): void {
    this.wanted = false;
    if (this.pending) {
      this.reads += 1;
      const text = this.pending;
      this.pending = '';
      this.push(text);
    }
    if (this.ended) this.push(null);
  }
}

/** Lets the stream deliver what was written (data events run on later ticks). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TraceReader: strace output held until the detector takes it', () => {
  it('holds everything read before the first batch is taken, in order, and hands it over at once', async () => {
    const fifo = new PassThrough();
    const reader = new TraceReader(1 << 20);
    reader.attach(fifo);
    const lines = Array.from({ length: 1000 }, (_, i) => `${100 + (i % 7)} 1.${String(i).padStart(6, '0')} openat(AT_FDCWD, "/tmp/f${i}", O_RDONLY) = 3\n`);
    for (const line of lines) fifo.write(line);
    while (fifo.writableLength > 0) await settle();
    fifo.end('tail without newline');
    const batches: string[] = [];
    for await (const batch of reader.batches()) batches.push(batch);
    // What was held before the consumer came is one batch, not one per read.
    expect(batches).toEqual([lines.join('') + 'tail without newline']);
  });

  it('keeps bytes as latin1 characters (the parser decodes strace escapes itself)', async () => {
    const fifo = new PassThrough();
    const reader = new TraceReader(1 << 20);
    reader.attach(fifo);
    fifo.end(Buffer.from([0x31, 0xe9, 0xff, 0x0a]));
    const batches: string[] = [];
    for await (const batch of reader.batches()) batches.push(batch);
    expect(batches.join('')).toBe('1\u00e9\u00ff\n');
  });

  it('stops reading past its cap (strace then blocks on the full FIFO) and loses nothing when taken', async () => {
    const fifo = new PassThrough();
    const reader = new TraceReader(4096);
    reader.attach(fifo);
    const line = 'x'.repeat(99) + '\n';
    let written = '';
    for (let i = 0; i < 100; i++) {
      fifo.write(line);
      written += line;
    }
    await settle();
    expect(fifo.isPaused()).toBe(true);
    // Paused, the source keeps the rest: what was read stopped near the cap.
    expect(fifo.readableLength).toBeGreaterThan(0);
    fifo.end();
    let got = '';
    for await (const batch of reader.batches()) {
      expect(batch.length).toBeLessThanOrEqual(4096 + line.length);
      got += batch;
    }
    expect(got).toBe(written);
    expect(fifo.isPaused()).toBe(false);
  });

  it('after each read, leaves the FIFO alone for the gap, then takes what came meanwhile at once', async () => {
    const fifo = new FakeFifo();
    const reader = new TraceReader(1 << 20, 40);
    reader.attach(fifo);
    const batches = reader.batches();
    const started = performance.now();
    fifo.write('1 first\n');
    expect((await batches.next()).value).toBe('1 first\n');
    // strace's small writes during the gap stay in the FIFO (the stream itself holds one read).
    const lines = ['1 first\n'];
    for (let i = 2; i <= 9; i++) {
      lines.push(`${i} more\n`);
      fifo.write(lines.at(-1)!);
      await settle();
    }
    expect(fifo.unread).toBeGreaterThanOrEqual(6 * '2 more\n'.length);
    let got = '1 first\n';
    while (got.length < lines.join('').length) got += (await batches.next()).value;
    expect(got).toBe(lines.join(''));
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
    // Read one by one, that would be 9 reads.
    expect(fifo.reads).toBeLessThanOrEqual(4);
    fifo.end();
    expect((await batches.next()).done).toBe(true);
  });

  it('ends with the error when the FIFO cannot be read', async () => {
    const reader = new TraceReader(1024);
    reader.fail(new Error('ENOENT: no such file'));
    await expect(async () => {
      for await (const batch of reader.batches()) expect(batch).toBeUndefined();
    }).rejects.toThrow('ENOENT');
  });
});
