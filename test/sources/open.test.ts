import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { readInputs, readers, sniffFormat, type InputBatch } from '../../src/sources/open.js';
import type { BadRecord } from '../../src/sources/reader.js';
import { fixture, fixtureBytes } from './helpers.js';

async function collect(paths: string[], inputFormat?: string) {
  const bad: BadRecord[] = [];
  const batches: InputBatch[] = [];
  for await (const batch of readInputs(paths, { inputFormat, onBad: (b) => bad.push(b) })) batches.push(batch);
  const formats = new Map(batches.map((b) => [b.input, b.format]));
  const events = batches.flatMap((b) => b.events);
  return { bad, batches, formats, events };
}

const expected: Record<string, string> = {
  'qradar-events.json': 'qradar-json',
  'qradar-events.csv': 'qradar-csv',
  'evtx-dump.json': 'evtx-json',
  'evtx-dump.jsonl': 'evtx-json',
  'winlogbeat.ndjson': 'winlogbeat',
  'otrf.ndjson': 'otrf',
  'sigma.ndjson': 'sigma-ndjson',
};

describe('sniffing', () => {
  for (const [name, format] of Object.entries(expected)) {
    it(`picks ${format} for ${name}`, () => {
      expect(sniffFormat(fixtureBytes(name).toString('utf8'))?.format).toBe(format);
    });
  }

  it('recognizes nothing in plain text', () => {
    expect(sniffFormat('hello world\n')).toBeUndefined();
  });

  it('lists every reader once', () => {
    expect(new Set(readers.map((r) => r.format)).size).toBe(readers.length);
  });
});

describe('readInputs', () => {
  let stdinDescriptor: PropertyDescriptor | undefined;
  afterEach(() => {
    if (stdinDescriptor) Object.defineProperty(process, 'stdin', stdinDescriptor);
    stdinDescriptor = undefined;
  });

  it('reports the chosen format per input, even before any event', async () => {
    const { batches, formats, events } = await collect([fixture('otrf.ndjson'), fixture('qradar-events.csv')]);
    expect(batches[0]).toEqual({ input: fixture('otrf.ndjson'), format: 'otrf', events: [] });
    expect([...formats.values()]).toEqual(['otrf', 'qradar-csv']);
    expect(events).toHaveLength(4 + 3);
  });

  it('walks folders in sorted order, skips docs, reports damaged .evtx and unknown files, and goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-open-'));
    mkdirSync(join(dir, 'b'));
    copyFileSync(fixture('sigma.ndjson'), join(dir, 'b', 'z.ndjson'));
    copyFileSync(fixture('winlogbeat.ndjson'), join(dir, 'a.json'));
    writeFileSync(join(dir, 'README.md'), '# notes\n');
    writeFileSync(join(dir, 'rule.yml'), 'title: x\n');
    writeFileSync(join(dir, '.hidden.json'), '{"a":1}\n');
    writeFileSync(join(dir, 'c.evtx'), 'ElfFile\0');
    writeFileSync(join(dir, 'd.txt'), 'just some text\n');
    const { bad, formats } = await collect([dir]);
    expect([...formats]).toEqual([
      [join(dir, 'a.json'), 'winlogbeat'],
      [join(dir, 'b', 'z.ndjson'), 'sigma-ndjson'],
      [join(dir, 'c.evtx'), 'evtx'],
    ]);
    const fileLevel = bad.filter((b) => b.line === undefined);
    expect(fileLevel.map((b) => [b.file, b.reason.slice(0, 30)])).toEqual([
      // An EVTX signature alone: read by the native reader, which reports the damaged header.
      [join(dir, 'c.evtx'), 'file header CRC32 mismatch (st'],
      [join(dir, 'c.evtx'), 'file cut short inside its 4096'],
      [join(dir, 'd.txt'), 'unrecognized format; use --inp'],
    ]);
  });

  it('uses --input-format instead of sniffing, and rejects an unknown one', async () => {
    const { formats, bad } = await collect([fixture('otrf.ndjson')], 'sigma-ndjson');
    expect([...formats.values()]).toEqual(['sigma-ndjson']);
    expect(bad.map((b) => b.line)).toEqual([3, 6]);
    await expect(collect([fixture('otrf.ndjson')], 'nope')).rejects.toThrow(/--input-format: unknown format 'nope'/);
  });

  it('reports a missing path and goes on', async () => {
    const { bad, formats } = await collect(['/nonexistent/x.json', fixture('sigma.ndjson')]);
    expect(bad[0]).toMatchObject({ file: '/nonexistent/x.json', reason: expect.stringMatching(/^cannot read: ENOENT/) });
    expect([...formats.values()]).toEqual(['sigma-ndjson']);
  });

  it('sniffs stdin without losing its head, even past the 64 KiB sniff window', async () => {
    const line = JSON.stringify({ category: 'process_creation', Image: 'x'.repeat(900) }) + '\n';
    const text = line.repeat(200); // ~180 KiB, in 1 KiB chunks
    stdinDescriptor = Object.getOwnPropertyDescriptor(process, 'stdin');
    const chunks = Buffer.from(text).reduce<Buffer[]>((acc, _b, i, all) => (i % 1024 === 0 ? [...acc, all.subarray(i, i + 1024)] : acc), []);
    Object.defineProperty(process, 'stdin', { value: Readable.from(chunks, { objectMode: false }), configurable: true });
    const { events, formats, bad } = await collect(['-']);
    expect(bad).toEqual([]);
    expect(formats.get('-')).toBe('sigma-ndjson');
    expect(events).toHaveLength(200);
    expect(events[0].source).toEqual({ file: '-', format: 'sigma-ndjson', line: 1 });
  });
});
