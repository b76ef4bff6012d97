/**
 * Templates shared across chunks and files (`shared-templates.ts`): a reader that has already
 * read other files (its store filled) must give exactly what a fresh reader (empty store) gives,
 * including on files where a definition's bytes match a stored one but a name differs, and on
 * randomly damaged copies.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { SourceReader } from '../../../src/sources/reader.js';
import { readWith, type ReadResult } from '../helpers.js';
import { requireShared } from '../../helpers/cli.js';
import { corpusEvtxFiles } from './reference.js';

const CHUNK = 65536;
const HEADER = 4096;
const SOURCE = 'corpus/real/sbousseaden__EVTX-ATTACK-SAMPLES/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx';

/** A reader from a fresh copy of the modules: its template store is empty. */
async function freshReader(): Promise<SourceReader> {
  vi.resetModules();
  return (await import('../../../src/sources/evtx.js')).evtxReader;
}

const read = (reader: SourceReader, bytes: Buffer, name: string): Promise<ReadResult> => readWith(reader, Readable.from([bytes]), name);

/** `bytes` with every UTF-16LE occurrence of `from` in [start, end) replaced by `to` (same length). */
function renamed(bytes: Buffer, from: string, to: string, start: number, end: number): Buffer {
  const out = Buffer.from(bytes);
  const pattern = Buffer.from(from, 'utf16le');
  for (let at = out.indexOf(pattern, start); at !== -1 && at < end; at = out.indexOf(pattern, at + 1)) Buffer.from(to, 'utf16le').copy(out, at);
  return out;
}

let warm: SourceReader;
let original: Buffer;

beforeAll(async () => {
  warm = await freshReader();
  // Fill the store with every corpus file's templates.
  for (const file of corpusEvtxFiles()) await read(warm, readFileSync(file), file);
  original = readFileSync(requireShared(SOURCE));
});

describe('EVTX templates shared across chunks and files', () => {
  it('a whole-corpus read after another gives the same events as a fresh reader', async () => {
    const fresh = await freshReader();
    for (const file of corpusEvtxFiles()) {
      const bytes = readFileSync(file);
      expect(await read(warm, bytes, file)).toEqual(await read(fresh, bytes, file));
    }
  });

  it('a name changed in one chunk (element, attribute and Data names): used, not the stored one', async () => {
    const names: [string, string][] = [['Computer', 'Computex'], ['EventData', 'EventDatu'], ['Data', 'Date'], ['Name', 'Nome'], ['Provider', 'Provides'], ['Image', 'Imago']];
    for (const [from, to] of names) {
      for (const chunk of [0, 3]) {
        const bytes = renamed(original, from, to, HEADER + chunk * CHUNK, HEADER + (chunk + 1) * CHUNK);
        const name = `${from}-in-chunk-${chunk}.evtx`;
        const expected = await read(await freshReader(), bytes, name);
        expect(await read(warm, bytes, name), name).toEqual(expected);
      }
    }
  });

  it('randomly damaged copies: same events and bad records as a fresh reader', async () => {
    let seed = 99;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let copy = 0; copy < 40; copy++) {
      const bytes = Buffer.from(original.subarray(0, HEADER + 4 * CHUNK));
      for (let flip = 0; flip < 30; flip++) bytes[HEADER + 512 + Math.floor(next() * (4 * CHUNK - 512))] = Math.floor(next() * 256);
      const name = `damaged-${copy}.evtx`;
      const expected = await read(await freshReader(), bytes, name);
      expect(await read(warm, bytes, name), name).toEqual(expected);
    }
  }, 60_000);
});
