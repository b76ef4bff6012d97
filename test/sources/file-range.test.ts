import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileRangeChunks } from '../../src/sources/file-range.js';
import { sigmaNdjsonReader } from '../../src/sources/sigma-ndjson.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-range-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'events.ndjson');
const lines = ['{"Image":"C:\\\\a.exe","CommandLine":"a 1"}', '{"Image":"C:\\\\b.exe","CommandLine":"b \\"2\\""}', '{"Image":"C:\\\\c.exe"}'];
writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
const secondLine = lines[0]!.length + 1;

describe('fileRangeChunks: a byte range of a file as chunks of one reused buffer', () => {
  it('gives exactly the range, in chunks of at most the chunk size, all in one buffer', async () => {
    const copies: string[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const chunk of fileRangeChunks(file, 3, 40, 16)) {
      copies.push(chunk.toString('latin1'));
      buffers.add(chunk.buffer);
    }
    expect(copies.map((c) => c.length)).toEqual([16, 16, 5]);
    expect(copies.join('')).toBe(lines.join('\n').slice(3, 40));
    expect(buffers.size).toBe(1);
  });

  it('stops at the end of a file shorter than the range (the file shrank)', async () => {
    let read = '';
    for await (const chunk of fileRangeChunks(file, secondLine, 10_000, 16)) read += chunk.toString();
    expect(read).toBe(`${lines[1]}\n${lines[2]}\n`);
  });

  it('turns the event loop between chunks, as a stream does (the main thread answers workers meanwhile)', async () => {
    let turned = false;
    const seen: boolean[] = [];
    setImmediate(() => (turned = true));
    for await (const _ of fileRangeChunks(file, 0, 40, 16)) seen.push(turned);
    expect(seen).toEqual([false, true, true]);
  });

  it('feeds a splittable reader the same events, with their line numbers, as a stream of the range', async () => {
    const events: Array<[string | undefined, number | undefined]> = [];
    for await (const batch of sigmaNdjsonReader.read(fileRangeChunks(file, secondLine, 10_000, 7), { file, bad: () => {} })) {
      for (const e of batch) events.push([e.fields.CommandLine as string | undefined, e.source.line]);
    }
    expect(events).toEqual([['b "2"', 1], [undefined, 2]]);
  });
});
