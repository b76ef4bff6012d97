import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { CorrelationMatch } from '../../src/alerts/detector.js';
import { BLOCK_BYTES, BlockBuilder, HELD_BYTES_LIMIT, SpareBuffers, type AlertBlock } from '../../src/parallel/alert-block.js';

const decode = (block: AlertBlock, i: number) =>
  Buffer.from(block.bytes.subarray(i === 0 ? 0 : block.ends[i - 1], block.ends[i])).toString('utf8');

const match = (seq: number) => ({ seq }) as CorrelationMatch;

describe('BlockBuilder', () => {
  it('encodes each alert as UTF-8, ends marking each one, and counts rules in order of first alert', () => {
    const blocks: AlertBlock[] = [];
    const builder = new BlockBuilder(3, (b) => blocks.push(b));
    builder.add(10, 'r1', 'Rule one', 'plain\n');
    builder.add(11, 'r2', 'Rule two', 'é ✓ 😀 \u202e\n');
    builder.add(11, 'r1', 'Rule one', 'again\n');
    builder.finish();
    expect(blocks).toHaveLength(1);
    const [block] = blocks as [AlertBlock];
    expect(block.task).toBe(3);
    expect([0, 1, 2].map((i) => decode(block, i))).toEqual(['plain\n', 'é ✓ 😀 \u202e\n', 'again\n']);
    expect([...block.seqs]).toEqual([10, 11, 11]);
    expect(block.rules).toEqual([
      { rule: 'r1', title: 'Rule one', count: 2, first: 0 },
      { rule: 'r2', title: 'Rule two', count: 1, first: 1 },
    ]);
  });

  it('posts a full block before an alert that does not fit, never splitting an alert', () => {
    const blocks: AlertBlock[] = [];
    const builder = new BlockBuilder(0, (b) => blocks.push(b));
    const text = 'x'.repeat(99_999) + '\n';
    const count = Math.ceil((2.5 * BLOCK_BYTES) / text.length);
    for (let i = 0; i < count; i += 1) builder.add(i, 'r', 'R', text);
    const huge = 'é'.repeat(BLOCK_BYTES) + '\n'; // bigger than a block: a buffer of its own
    builder.add(count, 'r', 'R', huge);
    builder.finish();
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const all = blocks.flatMap((b) => [...b.seqs].map((_, i) => decode(b, i)));
    expect(all).toEqual([...Array.from({ length: count }, () => text), huge]);
    for (const b of blocks.slice(0, -2)) expect(b.bytes.byteLength).toBeLessThanOrEqual(BLOCK_BYTES);
    expect(blocks.reduce((n, b) => n + b.rules[0]!.count, 0)).toBe(count + 1);
  });

  it('puts a match in the block holding the alerts of its event, even when a block fills up mid-batch', () => {
    const blocks: AlertBlock[] = [];
    const builder = new BlockBuilder(0, (b) => blocks.push(b));
    const text = 'y'.repeat(BLOCK_BYTES / 2 - 10);
    builder.queueMatches([match(1), match(2), match(4)]);
    builder.add(1, 'r', 'R', text);
    builder.add(2, 'r', 'R', text); // fills the first block
    builder.add(3, 'r', 'R', text); // posts it: matches 1 and 2 went with it
    builder.endBatch(); // match 4 (no alert of its own) joins the block that holds event 3
    builder.queueMatches([match(5)]);
    builder.endBatch();
    builder.finish();
    expect(blocks.map((b) => [...b.seqs])).toEqual([[1, 2], [3]]);
    expect(blocks.map((b) => b.matches.map((m) => m.seq))).toEqual([[1, 2], [4, 5]]);
  });

  it('makes blocks whose bytes transfer to another thread without a copy', () => {
    const blocks: AlertBlock[] = [];
    const builder = new BlockBuilder(0, (b) => blocks.push(b));
    builder.add(1, 'r', 'R', 'transferred\n');
    builder.finish();
    const [block] = blocks as [AlertBlock];
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(block, [block.bytes.buffer as ArrayBuffer, block.ends.buffer as ArrayBuffer, block.seqs.buffer as ArrayBuffer]);
    expect(block.bytes.byteLength).toBe(0); // detached: the sender no longer holds it
    const received = receiveMessageOnPort(port2)!.message as AlertBlock;
    expect(decode(received, 0)).toBe('transferred\n');
    port1.close();
  });

  it('sends nothing for a task without alerts or matches, and the held alerts of an ordered scan', () => {
    const blocks: AlertBlock[] = [];
    new BlockBuilder(0, (b) => blocks.push(b)).finish();
    expect(blocks).toHaveLength(0);
    const ordered = new BlockBuilder(1, (b) => blocks.push(b));
    ordered.count(7, 'r', 'R');
    ordered.finish([]);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.bytes.byteLength).toBe(0);
    expect([...blocks[0]!.seqs]).toEqual([7]);
    expect(blocks[0]!.held).toEqual([]);
  });

  it('reuses the buffers given back, when big enough, and keeps only a few', () => {
    const spare = new SpareBuffers();
    const given = new ArrayBuffer(BLOCK_BYTES);
    spare.give(new ArrayBuffer(16)); // smaller than a block: left alone
    spare.give(given);
    const blocks: AlertBlock[] = [];
    const builder = new BlockBuilder(0, (b) => blocks.push(b), spare);
    builder.add(1, 'r', 'R', 'reused\n');
    builder.finish();
    expect(blocks[0]!.bytes.buffer).toBe(given);
    expect(decode(blocks[0]!, 0)).toBe('reused\n');
    expect(spare.take(1)?.byteLength).toBe(16);
    expect(spare.take(1)).toBeUndefined();
    for (let i = 0; i < 2 * SpareBuffers.KEPT; i += 1) spare.give(new ArrayBuffer(8));
    let kept = 0;
    while (spare.take(1)) kept += 1;
    expect(kept).toBe(SpareBuffers.KEPT);
  });

  it('keeps every buffer of a run-ahead up to twice the held limit (tasks under way run past it): none is dropped to be allocated again', () => {
    const spare = new SpareBuffers();
    const out = Array.from({ length: (2 * HELD_BYTES_LIMIT) / BLOCK_BYTES }, () => new ArrayBuffer(BLOCK_BYTES));
    for (const buffer of out) spare.give(buffer);
    const back = new Set<ArrayBuffer>();
    for (let b = spare.take(BLOCK_BYTES); b !== undefined; b = spare.take(BLOCK_BYTES)) back.add(b);
    expect(back.size).toBe(out.length);
    expect(out.every((buffer) => back.has(buffer))).toBe(true);
  });
});
