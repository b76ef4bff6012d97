/**
 * The direct flattener (`flatten.ts`, a per-template plan writing fields straight from the
 * substitution values) against the general path it replaces (render to evtx_dump's JSON shape,
 * then evtx-json's `toEvent`): the same event, fields in the same order, or the same failure, on
 * every record of the corpus and of randomly damaged copies of it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, readChunk, type ChunkRecord } from '../../../src/sources/evtx/chunk.js';
import { directEvent, rendered } from '../../../src/sources/evtx/flatten.js';
import { corpusEvtxFiles } from './reference.js';

const HEADER = 4096;

/** Both paths on every record of every chunk of `bytes`; returns [records compared, records planned]. */
function compareBoth(bytes: Buffer, file: string): [number, number] {
  let records = 0;
  let planned = 0;
  // readChunk turns anything a record's sink throws into that record's damage: a mismatch is
  // kept here and failed on after the reading, never thrown where readChunk would catch it.
  const mismatches: Error[] = [];
  const outcome = (f: () => unknown) => {
    try {
      return { value: f() };
    } catch (err) {
      return { error: String(err) };
    }
  };
  const sink = {
    record({ nodes, offset, id }: ChunkRecord) {
      const source = { file, offset, id };
      const direct = outcome(() => directEvent(nodes, source));
      records++;
      if ('value' in direct && direct.value === undefined) return; // the general path's record
      planned++;
      const general = outcome(() => rendered(nodes, source));
      try {
        expect(direct, `${file} record at ${offset}`).toStrictEqual(general);
        // Same keys in the same order (toStrictEqual ignores order).
        if ('value' in direct) {
          const keys = (o: unknown) => Object.keys((o as { fields: object }).fields);
          expect(keys(direct.value)).toEqual(keys(general.value));
        }
      } catch (err) {
        mismatches.push(err as Error);
      }
    },
    problem() {},
  };
  for (let at = HEADER; at < bytes.length; at += CHUNK_BYTES) {
    const chunk = Buffer.alloc(CHUNK_BYTES);
    const available = bytes.copy(chunk, 0, at, at + CHUNK_BYTES);
    readChunk(chunk, available, at, true, sink);
  }
  if (mismatches.length > 0) throw mismatches[0];
  return [records, planned];
}

describe('direct flattening equals render + toEvent', () => {
  const files = corpusEvtxFiles();

  it('on every corpus record, nearly all of them planned', () => {
    let records = 0;
    let planned = 0;
    for (const file of files) {
      const [r, p] = compareBoth(readFileSync(file), file);
      records += r;
      planned += p;
    }
    expect(records).toBeGreaterThanOrEqual(1257);
    expect(planned / records).toBeGreaterThan(0.99);
  });

  it('on 200 seeded copies with random byte flips (same events, same failures)', { timeout: 15_000 }, () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    let direct = 0;
    let all = 0;
    const sources = files.filter((f) => readFileSync(f).length > HEADER + CHUNK_BYTES);
    for (let copy = 0; copy < 200; copy++) {
      const file = sources[copy % sources.length];
      const bytes = Buffer.from(readFileSync(file).subarray(0, HEADER + CHUNK_BYTES));
      for (let flip = 0; flip < 20; flip++) bytes[HEADER + 512 + Math.floor(random() * (CHUNK_BYTES - 512))] = Math.floor(random() * 256);
      const [records, planned] = compareBoth(bytes, `${file} copy ${copy}`);
      direct += planned;
      all += records;
    }
    expect(direct / all).toBeGreaterThan(0.5);
  });

  it('with names that are not identifiers (quotes, backslashes, line separators, code): the same fields, nothing run', () => {
    // Element and Data names as a file may hold them, each the length of the name it replaces
    // (UTF-16 in the chunks' name tables): the plans write fields under names from the file.
    const names: [string, string][] = [
      ['Image', 'x"};/'],
      ['CommandLine', "\u2028')//\\${a}+"],
      ['Computer', '"+`\n*/};'],
      ['ProcessId', 'constructo'.slice(0, 9)],
      ['ParentImage', '0\u2029\r\\"\'`x}{]'],
    ];
    const sysmon = files.find((f) => /PanacheSysmon_vs_AtomicRedTeam01/.test(f))!;
    let bytes = readFileSync(sysmon);
    for (const [from, to] of names) {
      expect(to.length).toBe(from.length);
      const out = Buffer.from(bytes);
      const pattern = Buffer.from(from, 'utf16le');
      for (let at = out.indexOf(pattern); at !== -1; at = out.indexOf(pattern, at + 1)) Buffer.from(to, 'utf16le').copy(out, at);
      bytes = out;
    }
    const [records, planned] = compareBoth(bytes, 'renamed.evtx');
    expect(records).toBeGreaterThan(500);
    expect(planned / records).toBeGreaterThan(0.99);
  });
});
