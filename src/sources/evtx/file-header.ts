/**
 * The EVTX file header: the first 4 KiB of the file, of which the first 128 bytes are used.
 * Layout (little-endian): signature `ElfFile\0`, first/last chunk number (u64), next record id
 * (u64), header size (u32, 128), minor/major version (u16), header block size (u16, 4096),
 * number of chunks (u16), 76 unused bytes, file flags (u32: 1 dirty, 2 full) at 120, and the
 * CRC-32 of bytes 0–119 at 124.
 *
 * Only the chunk count is used: it tells a zeroed chunk that should hold data (reported) from
 * unused space (silent). A dirty file may hold more chunks than it counts; every chunk with a
 * signature is read whatever the count and the flags say.
 */
import { crc32 } from './crc32.js';

export const FILE_SIGNATURE = 'ElfFile\0';
export const FILE_HEADER_BYTES = 4096;

export interface FileHeader {
  /** Chunks the header knows about. */
  chunkCount: number;
  /** Problems found (bad signature, checksum mismatch, odd block size): reported, and reading goes on. */
  problems: string[];
}

/** `block`: the first 4096 bytes of the file (zero-padded if the file is shorter). */
export function parseFileHeader(block: Buffer): FileHeader {
  const problems: string[] = [];
  if (block.toString('latin1', 0, 8) !== FILE_SIGNATURE) problems.push('file header has no ElfFile signature');
  const stored = block.readUInt32LE(124);
  const computed = crc32(block, 0, 120);
  if (stored !== computed) problems.push(`file header CRC32 mismatch (stored ${hex(stored)}, computed ${hex(computed)})`);
  const blockSize = block.readUInt16LE(40);
  // Chunks follow at 4096 in every known version; trusting another value would misalign them all.
  if (blockSize !== FILE_HEADER_BYTES && problems.length === 0) problems.push(`file header block size ${blockSize}, assuming 4096`);
  return { chunkCount: block.readUInt16LE(42), problems };
}

export const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
