import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { readInputs, type BadRecord } from '../../src/sources/open.js';
import { asUtf8, utf16Of } from '../../src/sources/utf16.js';

const REPO = join(import.meta.dirname, '..', '..');
const SAMPLES = {
  ndjson: join(REPO, 'samples', 'sysmon-npm-install.ndjson'),
  xml: join(REPO, 'test', 'fixtures', 'windows', 'atomic1-npm-postinstall.sysmon.xml'),
};

/** The text in UTF-16, as Windows PowerShell 5.1's `>` writes it (little-endian, with a byte order mark), or another variant. */
function encode(text: string, variant: 'le-bom' | 'be-bom' | 'le'): Buffer {
  const le = Buffer.from(text, 'utf16le');
  if (variant === 'le') return le;
  if (variant === 'le-bom') return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  const be = Buffer.from(le);
  be.swap16();
  return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
}

async function read(path: string): Promise<{ format: string; events: NormalizedEvent[]; bad: BadRecord[] }> {
  const bad: BadRecord[] = [];
  const events: NormalizedEvent[] = [];
  let format = 'none';
  for await (const batch of readInputs([path], { onBad: (b) => bad.push(b) })) {
    format = batch.format;
    events.push(...batch.events);
  }
  return { format, events, bad };
}

/** What a rule sees of an event, and its line: the same whatever the file's encoding. */
const seen = (e: NormalizedEvent) => ({ fields: e.fields, time: e.time, category: e.category, product: e.product, line: e.source.line });

describe('UTF-16 inputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-utf16-'));
  for (const [kind, sample] of Object.entries(SAMPLES)) {
    for (const variant of ['le-bom', 'be-bom', 'le'] as const) {
      it(`${kind} in UTF-16 (${variant}) is read as its UTF-8 original`, async () => {
        const original = await read(sample);
        expect(original.events.length).toBeGreaterThan(1);
        const path = join(dir, `${kind}-${variant}`);
        writeFileSync(path, encode(readFileSync(sample, 'utf8').replace(/encoding="UTF-8"/i, 'encoding="UTF-16"'), variant));
        const wide = await read(path);
        expect(wide.bad).toEqual([]);
        expect(wide.format).toBe(original.format);
        expect(wide.events.map(seen)).toEqual(original.events.map(seen));
      });
    }
  }

  it('decodes code units and surrogate pairs cut between chunks', async () => {
    const text = 'a\u00e9\u4e2d\u{1f600}z\n'.repeat(50);
    const bytes = encode(text, 'le-bom');
    // One byte per chunk: every code unit and every surrogate pair is cut.
    const out: Buffer[] = [];
    for await (const chunk of asUtf8(Readable.from([...bytes].map((b) => Buffer.from([b]))), 'utf-16le')) out.push(chunk as Buffer);
    expect(Buffer.concat(out).toString('utf8')).toBe(text);
  });

  it('takes neither UTF-8 text nor a short head for UTF-16', () => {
    expect(utf16Of(Buffer.from('{"EventID": 1}\n'))).toBeUndefined();
    expect(utf16Of(Buffer.from('<?xml version="1.0"?>'))).toBeUndefined();
    expect(utf16Of(Buffer.from('a\0b\0'))).toBeUndefined();
    expect(utf16Of(Buffer.from('{"a":1}', 'utf16le'))).toBe('utf-16le');
  });
});
