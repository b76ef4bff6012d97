/**
 * A file stream over a whole regular file is read at the file positions of its blocks (one
 * reused buffer, `pread`) instead of through the stream; anything else goes through the stream.
 * Both must give exactly the same events and the same bad records, on intact and damaged files,
 * and the file stream must be closed once read.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evtxReader } from '../../../src/sources/evtx.js';
import { readWith, type ReadResult } from '../helpers.js';
import { requireShared } from '../../helpers/cli.js';

const SOURCE = 'corpus/real/sbousseaden__EVTX-ATTACK-SAMPLES/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx';
const HEADER = 4096;
const CHUNK = 65536;
const chunkStart = (i: number) => HEADER + i * CHUNK;

let dir: string;
let original: Buffer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sw-evtx-file-'));
  original = readFileSync(requireShared(SOURCE));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same bytes read from a file (positioned reads) and from a stream (the general path). */
async function bothWays(name: string, bytes: Buffer): Promise<{ file: ReadResult; stream: ReadResult }> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const file = await readWith(evtxReader, createReadStream(path), name);
  const stream = await readWith(evtxReader, Readable.from([bytes]), name);
  return { file, stream };
}

function damaged(edit: (bytes: Buffer) => Buffer | void): Buffer {
  const bytes = Buffer.from(original);
  return edit(bytes) ?? bytes;
}

const CASES: [string, Buffer | (() => Buffer)][] = [
  ['intact', () => original],
  ['cut inside a chunk', () => original.subarray(0, chunkStart(3) + 30_000)],
  ['cut at a chunk boundary', () => original.subarray(0, chunkStart(2))],
  ['cut inside the file header', () => original.subarray(0, 100)],
  ['empty', Buffer.alloc(0)],
  ['zeroed chunk', () => damaged((b) => void b.fill(0, chunkStart(2), chunkStart(3)))],
  ['random bytes in a chunk', () => damaged((b) => void b.fill(0x5a, chunkStart(1) + 512, chunkStart(1) + 9000))],
  ['record size past the chunk', () => damaged((b) => void b.writeUInt32LE(0x20000, chunkStart(0) + 512 + 4))],
  ['bad file header checksum', () => damaged((b) => void (b[60] ^= 0xff))],
];

describe('EVTX reader: file read at block positions vs the same bytes as a stream', () => {
  for (const [name, bytes] of CASES) {
    it(`${name}: same events, same bad records`, async () => {
      const { file, stream } = await bothWays(`${name.replaceAll(' ', '-')}.evtx`, typeof bytes === 'function' ? bytes() : bytes);
      expect(file.events).toEqual(stream.events);
      expect(file.bad).toEqual(stream.bad);
      expect(file.batches).toBe(stream.batches);
      if (name === 'intact') expect(file.events.length).toBe(565);
    });
  }

  it('closes the file stream once read, and when the reading stops early', async () => {
    const path = join(dir, 'close.evtx');
    writeFileSync(path, original);
    const whole = createReadStream(path);
    await readWith(evtxReader, whole, 'close.evtx');
    expect(whole.destroyed).toBe(true);
    const early = createReadStream(path);
    for await (const batch of evtxReader.read(early, { file: 'close.evtx', bad: () => {} })) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    expect(early.destroyed).toBe(true);
  });

  it('a stream over part of a file (start option) is read from where it starts, through the stream', async () => {
    const path = join(dir, 'part.evtx');
    writeFileSync(path, original);
    const part = await readWith(evtxReader, createReadStream(path, { start: HEADER }), 'part.evtx');
    const same = await readWith(evtxReader, Readable.from([original.subarray(HEADER)]), 'part.evtx');
    expect(part.events).toEqual(same.events);
    expect(part.bad).toEqual(same.bad);
    expect(part.bad.length).toBeGreaterThan(0); // the first chunk's bytes were taken for the file header
  });

  it('a missing file fails as the stream does', async () => {
    await expect(readWith(evtxReader, createReadStream(join(dir, 'absent.evtx')), 'absent.evtx')).rejects.toThrow(/ENOENT/);
  });

  it.skipIf(process.platform === 'win32')('a named pipe (no positioned reads) is read through the stream', async () => {
    const fifo = join(dir, 'pipe.evtx');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const source = join(dir, 'pipe-source.evtx');
    writeFileSync(source, original);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', source, fifo]);
    const written = once(writer, 'close');
    const piped = await readWith(evtxReader, createReadStream(fifo), 'pipe.evtx');
    expect(await written).toEqual([0, null]);
    const same = await readWith(evtxReader, Readable.from([original]), 'pipe.evtx');
    expect(piped.bad).toEqual([]);
    expect(piped.events).toEqual(same.events);
  });
});
