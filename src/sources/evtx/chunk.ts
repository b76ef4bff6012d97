/**
 * One 64 KiB chunk: header checks, then its event records.
 *
 * Chunk header (512 bytes, little-endian): signature `ElfChnk\0`, first/last record number and
 * first/last record id (u64 each), header size (u32, 128) at 40, last record offset (u32) at 44,
 * free space offset (u32) at 48, CRC-32 of the records data [512, free space) at 52, flags at 120,
 * CRC-32 of bytes 0–119 and 128–511 at 124; the string and template tables follow (unused here:
 * names and templates are reached through the offsets in the records).
 *
 * Event record: signature `**\0\0`, size (u32), record id (u64), written time (FILETIME), Binary
 * XML, size again (u32). A record that fails a check is reported and the next one is found by its
 * signature, so one damaged record costs only itself.
 */
import { crc32 } from './crc32.js';
import { EvtxError } from './errors.js';
import { hex } from './file-header.js';
import { FragmentParser } from './binxml.js';
import { ChunkCache } from './templates.js';
import type { BxNode } from './tokens.js';

export const CHUNK_BYTES = 65536;
export const CHUNK_HEADER_BYTES = 512;
export const CHUNK_SIGNATURE = 'ElfChnk\0';
const RECORD_SIGNATURE = 0x00002a2a;
const RECORD_SIGNATURE_BYTES = Buffer.from([0x2a, 0x2a, 0, 0]);
/** Signature, size, id, written time, at least an end-of-fragment token... and the size copy. */
const MIN_RECORD_BYTES = 28;

export interface ChunkRecord {
  /** File offset of the record. */
  offset: number;
  /** EventRecordID from the record header. */
  id: number;
  /** The record's top-level Binary XML nodes. */
  nodes: BxNode[];
}

export interface ChunkProblem {
  offset: number;
  record?: number;
  reason: string;
}

export interface ChunkSink {
  /** Takes a record; what it throws (damage found while decoding values) reports the record as bad. */
  record(record: ChunkRecord): void;
  problem(problem: ChunkProblem): void;
}

/**
 * Read the chunk in `chunk` (64 KiB; only the first `available` bytes came from the file, the
 * rest is zero when the file was cut short) found at file offset `base`. `counted`: the file
 * header counts this chunk, so finding it zeroed is a problem (otherwise it is unused space).
 */
export function readChunk(chunk: Buffer, available: number, base: number, counted: boolean, sink: ChunkSink): void {
  if (chunk.toString('latin1', 0, 8) !== CHUNK_SIGNATURE) {
    const zero = isZero(chunk, 0, available);
    if (!zero) sink.problem({ offset: base, reason: 'chunk has no ElfChnk signature; chunk skipped' });
    else if (counted) sink.problem({ offset: base, reason: 'chunk is zeroed; chunk skipped' });
    return;
  }
  if (available < CHUNK_BYTES) sink.problem({ offset: base, reason: `chunk cut short: ${available} of ${CHUNK_BYTES} bytes (file truncated or partially written)` });
  if (available < CHUNK_HEADER_BYTES) return;
  const storedHeader = chunk.readUInt32LE(124);
  const header = crc32(chunk, 128, CHUNK_HEADER_BYTES, crc32(chunk, 0, 120));
  if (storedHeader !== header) sink.problem({ offset: base, reason: `chunk header CRC32 mismatch (stored ${hex(storedHeader)}, computed ${hex(header)}); records still read` });
  const freeSpace = chunk.readUInt32LE(48);
  const freeValid = freeSpace >= CHUNK_HEADER_BYTES && freeSpace <= CHUNK_BYTES;
  if (!freeValid) {
    sink.problem({ offset: base + 48, reason: `chunk free space offset ${freeSpace} is outside the chunk; records read up to the end of the chunk` });
  } else if (freeSpace <= available) {
    // (A chunk cut short before its free space offset cannot be checked; it is reported above.)
    const storedData = chunk.readUInt32LE(52);
    const data = crc32(chunk, CHUNK_HEADER_BYTES, freeSpace);
    if (storedData !== data) sink.problem({ offset: base + CHUNK_HEADER_BYTES, reason: `event records CRC32 mismatch (stored ${hex(storedData)}, computed ${hex(data)}); records still read` });
  }
  readRecords(chunk, Math.min(freeValid ? freeSpace : CHUNK_BYTES, available), base, sink);
}

function readRecords(chunk: Buffer, limit: number, base: number, sink: ChunkSink): void {
  const cache = new ChunkCache(chunk);
  let pos = CHUNK_HEADER_BYTES;
  while (pos + 24 <= limit) {
    if (chunk.readUInt32LE(pos) !== RECORD_SIGNATURE) {
      if (isZero(chunk, pos, limit)) return; // slack after the last record
      sink.problem({ offset: base + pos, reason: 'no event record signature; skipped to the next record' });
      pos = nextSignature(chunk, pos + 1, limit);
      continue;
    }
    const size = chunk.readUInt32LE(pos + 4);
    const id = chunk.readUInt32LE(pos + 12) * 4294967296 + chunk.readUInt32LE(pos + 8);
    if (size < MIN_RECORD_BYTES || pos + size > limit) {
      const where = pos + size > CHUNK_BYTES ? 'past the chunk' : pos + size > limit ? 'past the chunk data' : 'too small';
      sink.problem({ offset: base + pos, record: id, reason: `event record size ${size} points ${where}; record skipped` });
      pos = nextSignature(chunk, pos + 4, limit);
      continue;
    }
    if (chunk.readUInt32LE(pos + size - 4) !== size) {
      sink.problem({ offset: base + pos, record: id, reason: `event record size ${size} does not match its copy ${chunk.readUInt32LE(pos + size - 4)}; record skipped` });
      pos = nextSignature(chunk, pos + 4, limit);
      continue;
    }
    try {
      const nodes = new FragmentParser(cache, pos + 24, pos + size - 4, false, 0).fragment();
      sink.record({ offset: base + pos, id, nodes });
    } catch (err) {
      // Any failure (including a Buffer RangeError) is this record's damage, never the reader's end.
      const at = err instanceof EvtxError && err.at !== undefined ? ` (chunk offset ${err.at})` : '';
      sink.problem({ offset: base + pos, record: id, reason: `bad binary XML: ${err instanceof Error ? err.message : String(err)}${at}` });
    }
    pos += size;
  }
  if (pos < limit && !isZero(chunk, pos, limit)) {
    sink.problem({ offset: base + pos, reason: `event record cut short: ${limit - pos} bytes left before the end of the chunk data` });
  }
}

/** Where the next record signature starts, or `limit` when there is none. */
function nextSignature(chunk: Buffer, from: number, limit: number): number {
  const next = chunk.indexOf(RECORD_SIGNATURE_BYTES, from);
  return next === -1 || next >= limit ? limit : next;
}

const ZERO = Buffer.alloc(CHUNK_BYTES);

function isZero(b: Buffer, start: number, end: number): boolean {
  return end <= start || b.subarray(start, end).equals(ZERO.subarray(0, end - start));
}
