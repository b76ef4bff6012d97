/**
 * Issue 3 §6: damaged EVTX files, written at test time by corrupting copies of a real corpus
 * file. Each must be read without a crash or a hang, every problem counted and reported with its
 * file offset, and the good records still read (compared with a read of the intact file).
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../../src/events/event.js';
import { crc32 } from '../../../src/sources/evtx/crc32.js';
import { evtxReader } from '../../../src/sources/evtx.js';
import { chunked, readWith, withoutSource, type ReadResult } from '../helpers.js';
import { requireShared } from '../../helpers/cli.js';
import { prng } from '../../helpers/prng.js';

const SOURCE = 'corpus/real/sbousseaden__EVTX-ATTACK-SAMPLES/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx';
const HEADER = 4096;
const CHUNK = 65536;
const chunkStart = (i: number) => HEADER + i * CHUNK;

let original: Buffer;
let intact: ReadResult;

const read = (bytes: Buffer) => readWith(evtxReader, Readable.from([bytes]), 'damaged.evtx');
const copy = () => Buffer.from(original);
const inChunk = (events: NormalizedEvent[], i: number) => events.filter((e) => e.source.offset! >= chunkStart(i) && e.source.offset! < chunkStart(i + 1));
const reasons = (result: ReadResult) => result.bad.map((b) => `${b.offset}: ${b.reason}`);

/** Seeded random bytes: the same on every run. */
function randomBytes(count: number, seed: number): Buffer {
  const rand = prng(seed);
  const out = Buffer.alloc(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

beforeAll(async () => {
  original = readFileSync(requireShared(SOURCE));
  intact = await read(original);
});

describe('EVTX reader on damaged copies of a real file', () => {
  it('reads the intact file cleanly (the baseline for the other cases)', () => {
    expect(intact.bad).toEqual([]);
    expect(intact.events.length).toBe(565);
    expect(inChunk(intact.events, 3).length).toBeGreaterThan(10);
  });

  it('gives the same events whatever the stream cuts the bytes into', async () => {
    const cut = await readWith(evtxReader, chunked(original, [1, 4095, 7, 65536, 100_000, 3]), 'cut.evtx');
    expect(cut.bad).toEqual([]);
    expect(withoutSource(cut.events)).toEqual(withoutSource(intact.events));
  });

  it('truncated file: the cut chunk is reported, records before the cut still read', async () => {
    const cutAt = chunkStart(3) + 30_000;
    const result = await read(original.subarray(0, cutAt));
    expect(reasons(result)).toContain(`${chunkStart(3)}: chunk cut short: 30000 of 65536 bytes (file truncated or partially written)`);
    const before = intact.events.filter((e) => e.source.offset! < chunkStart(3));
    expect(result.events.slice(0, before.length)).toEqual(before);
    const partial = result.events.slice(before.length);
    // Records wholly before the cut are read; the one the cut goes through is reported at its offset.
    expect(partial.length).toBeGreaterThan(0);
    expect(partial).toEqual(inChunk(intact.events, 3).slice(0, partial.length));
    const cutRecord = inChunk(intact.events, 3)[partial.length];
    expect(cutRecord.source.offset).toBeLessThan(cutAt);
    expect(result.bad.some((b) => b.offset === cutRecord.source.offset && /past the chunk data/.test(b.reason))).toBe(true);
    expect(result.events.length).toBe(before.length + partial.length);
  });

  it('file cut inside its header: reported, no events, no crash', async () => {
    const result = await read(original.subarray(0, 100));
    expect(result.events).toEqual([]);
    expect(reasons(result)).toContain('0: file cut short inside its 4096-byte header');
  });

  it('zeroed chunk: reported at its offset, the other chunks read', async () => {
    const bytes = copy();
    bytes.fill(0, chunkStart(2), chunkStart(3));
    const result = await read(bytes);
    expect(reasons(result)).toEqual([`${chunkStart(2)}: chunk is zeroed; chunk skipped`]);
    expect(result.events).toEqual(intact.events.filter((e) => !inChunk(intact.events, 2).includes(e)));
  });

  it('random bytes after a valid file header: every chunk reported, nothing invented', async () => {
    const bytes = Buffer.concat([original.subarray(0, HEADER), randomBytes(3 * CHUNK + 1234, 42)]);
    const result = await read(bytes);
    expect(result.events).toEqual([]);
    expect(result.bad.map((b) => b.offset)).toEqual([chunkStart(0), chunkStart(1), chunkStart(2), chunkStart(3)]);
    expect(result.bad.every((b) => b.reason === 'chunk has no ElfChnk signature; chunk skipped')).toBe(true);
  });

  it('random bytes inside a chunk after a valid chunk header: reported, no crash, other chunks read', async () => {
    const bytes = copy();
    randomBytes(CHUNK - 512, 7).copy(bytes, chunkStart(1) + 512);
    const result = await read(bytes);
    expect(result.bad.length).toBeGreaterThan(0);
    expect(result.bad.every((b) => b.offset! >= chunkStart(1) && b.offset! < chunkStart(2))).toBe(true);
    expect(reasons(result).some((r) => r.startsWith(`${chunkStart(1) + 512}: event records CRC32 mismatch`))).toBe(true);
    const others = intact.events.filter((e) => !inChunk(intact.events, 1).includes(e));
    expect(result.events.filter((e) => !inChunk(result.events, 1).includes(e))).toEqual(others);
  });

  it('record size pointing past the chunk: that record reported, the next ones still read', async () => {
    const bytes = copy();
    const victim = inChunk(intact.events, 0)[3];
    bytes.writeUInt32LE(0x20000, victim.source.offset! + 4);
    const result = await read(bytes);
    expect(reasons(result)).toContain(`${victim.source.offset}: event record size 131072 points past the chunk; record skipped`);
    expect(reasons(result).some((r) => r.startsWith(`${chunkStart(0) + 512}: event records CRC32 mismatch`))).toBe(true);
    expect(result.bad.length).toBe(2);
    expect(result.events).toEqual(intact.events.filter((e) => e !== victim));
  });

  it('templates referring to missing offsets: those records reported, the others read', async () => {
    const bytes = copy();
    const events = inChunk(intact.events, 0);
    // Records after the first of a chunk reuse cached templates: their instance token (0x0c)
    // follows the 4-byte fragment header at record offset 24; the definition offset is at +34.
    const reusing = events.filter((e) => {
      const at = e.source.offset!;
      return bytes[at + 28] === 0x0c && bytes.readUInt32LE(at + 34) !== at - chunkStart(0) + 38;
    });
    expect(reusing.length).toBeGreaterThan(2);
    const [pastChunk, nowhere] = reusing;
    bytes.writeUInt32LE(0xfff0, pastChunk.source.offset! + 34);
    // Inside the chunk's records, but where no definition starts (4 bytes into a record).
    const noDefinition = nowhere.source.offset! - chunkStart(0) + 4;
    bytes.writeUInt32LE(noDefinition, nowhere.source.offset! + 34);
    const result = await read(bytes);
    const bad = reasons(result);
    expect(bad).toContain(`${pastChunk.source.offset}: bad binary XML: template offset 65520 is outside the chunk's records (chunk offset 65520)`);
    expect(bad).toContain(`${nowhere.source.offset}: bad binary XML: no template definition at offset ${noDefinition} (chunk offset ${noDefinition})`);
    expect(bad).toHaveLength(3); // and the records data CRC32 mismatch the edits cause
    expect(result.events).toEqual(intact.events.filter((e) => e !== pastChunk && e !== nowhere));
  });

  it('file header checksum mismatch: reported at offset 0, every record still read', async () => {
    const bytes = copy();
    bytes[60] ^= 0xff; // an unused header byte covered by the CRC
    const result = await read(bytes);
    expect(result.bad).toHaveLength(1);
    expect(result.bad[0]).toMatchObject({ offset: 0, format: 'evtx', file: 'damaged.evtx' });
    expect(result.bad[0].reason).toMatch(/^file header CRC32 mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/);
    expect(result.events).toEqual(intact.events);
  });

  it('chunk header checksum mismatch: reported at the chunk, its records still read', async () => {
    const bytes = copy();
    bytes[chunkStart(5) + 80] ^= 0x55; // unused chunk header byte covered by the header CRC
    const result = await read(bytes);
    expect(result.bad).toHaveLength(1);
    expect(result.bad[0].offset).toBe(chunkStart(5));
    expect(result.bad[0].reason).toMatch(/^chunk header CRC32 mismatch/);
    expect(result.events).toEqual(intact.events);
  });

  it('dirty file whose header lags behind its chunks: every chunk still read, nothing reported', async () => {
    const bytes = copy();
    bytes.writeUInt16LE(2, 42); // the header counts 2 chunks; 15 are in use
    bytes.writeUInt32LE(1, 120); // dirty flag
    bytes.writeUInt32LE(crc32(bytes, 0, 120), 124);
    const result = await read(bytes);
    expect(result.bad).toEqual([]);
    expect(result.events).toEqual(intact.events);
  });

  it('random byte flips (500 seeded damaged copies of a one-chunk file): never a crash or a hang, offsets always in the file', async () => {
    const small = readFileSync(requireShared('corpus/real/sbousseaden__EVTX-ATTACK-SAMPLES/Privilege_Escalation/security_4624_4673_token_manip.evtx'));
    const noise = randomBytes(500 * 40 * 4, 1234);
    let reported = 0;
    for (let copyIndex = 0; copyIndex < 500; copyIndex++) {
      const bytes = Buffer.from(small);
      for (let flip = 0; flip < 40; flip++) {
        const at = (copyIndex * 40 + flip) * 4;
        // Mostly inside the records (where the Binary XML is), sometimes in the headers.
        const position = noise.readUInt16LE(at) % (flip % 8 === 0 ? 4096 + 512 : bytes.length - 4608) + (flip % 8 === 0 ? 0 : 4608);
        bytes[position] = noise[at + 2];
      }
      const result = await read(bytes);
      // Events come only from record signatures (a corrupted free space offset can expose old
      // records in the chunk's slack: real records, rightly read).
      for (const e of result.events) expect(bytes.readUInt32LE(e.source.offset!)).toBe(0x2a2a);
      for (const b of result.bad) {
        expect(b.offset).toBeGreaterThanOrEqual(0);
        expect(b.offset).toBeLessThan(bytes.length);
      }
      reported += result.bad.length;
    }
    expect(reported).toBeGreaterThan(500);
  }, 60_000);

  it('record whose trailing size copy disagrees: reported, the next records read', async () => {
    const bytes = copy();
    const victim = inChunk(intact.events, 4)[1];
    const at = victim.source.offset!;
    const size = bytes.readUInt32LE(at + 4);
    bytes.writeUInt32LE(size + 8, at + size - 4);
    const result = await read(bytes);
    expect(reasons(result)).toContain(`${at}: event record size ${size} does not match its copy ${size + 8}; record skipped`);
    expect(result.events).toEqual(intact.events.filter((e) => e !== victim));
  });
});
