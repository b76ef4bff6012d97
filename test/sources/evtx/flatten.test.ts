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
      expect(direct, `${file} record at ${offset}`).toStrictEqual(general);
      // Same keys in the same order (toStrictEqual ignores order).
      if ('value' in direct) {
        const keys = (o: unknown) => Object.keys((o as { fields: object }).fields);
        expect(keys(direct.value)).toEqual(keys(general.value));
      }
    },
    problem() {},
  };
  for (let at = HEADER; at < bytes.length; at += CHUNK_BYTES) {
    const chunk = Buffer.alloc(CHUNK_BYTES);
    const available = bytes.copy(chunk, 0, at, at + CHUNK_BYTES);
    readChunk(chunk, available, at, true, sink);
  }
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
});
