/**
 * Native reader of Windows EVTX files (no native dependency): file header, then 64 KiB chunks
 * read one at a time from the stream (memory stays at about one chunk whatever the file size),
 * each chunk's records decoded from Binary XML and flattened into events exactly as the evtx-json
 * reader flattens their evtx_dump rendering (`evtx/flatten.ts`), so a rule sees the same event
 * from a `.evtx` file and from its evtx_dump rendering. Damaged headers, chunks and records are reported with
 * their file offset and reading goes on. Details: `evtx/README.md`.
 */
import { fstatSync, readSync, ReadStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { NormalizedEvent } from '../events/event.js';
import { CHUNK_BYTES, readChunk, type ChunkRecord } from './evtx/chunk.js';
import { FILE_HEADER_BYTES, FILE_SIGNATURE, parseFileHeader } from './evtx/file-header.js';
import { recordEvent } from './evtx/flatten.js';
import type { ReadContext, SourceReader } from './reader.js';

const FORMAT = 'evtx';

export const evtxReader: SourceReader = {
  format: FORMAT,
  description: 'Windows event log files (.evtx), read natively: chunks, Binary XML, templates',
  readsFile: true,
  sniff(head) {
    return head.startsWith(FILE_SIGNATURE) ? 1 : 0;
  },
  read: readEvtx,
};

async function* readEvtx(input: Readable, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  const { file } = ctx;
  let batch: NormalizedEvent[] = [];
  let chunkCount = 0;
  const sink = {
    record(record: ChunkRecord) {
      const event = recordEvent(record.nodes, { file, offset: record.offset, id: record.id });
      if (typeof event === 'string') ctx.bad({ file, format: FORMAT, offset: record.offset, record: record.id, reason: event });
      else batch.push(event);
    },
    problem(problem: { offset: number; record?: number; reason: string }) {
      ctx.bad({ file, format: FORMAT, ...problem });
    },
  };
  let offset = 0;
  let index = 0;
  for await (const block of input instanceof ReadStream && wholeFileUnread(input) ? fileBlocks(input) : blocks(input)) {
    if (offset === 0) {
      const header = parseFileHeader(block.bytes);
      for (const reason of header.problems) sink.problem({ offset: 0, reason });
      if (block.available < FILE_HEADER_BYTES) sink.problem({ offset: 0, reason: `file cut short inside its ${FILE_HEADER_BYTES}-byte header` });
      chunkCount = header.chunkCount;
    } else {
      readChunk(block.bytes, block.available, offset, index < chunkCount, sink);
      index++;
      // One batch per chunk (a few hundred events at most): short-lived events die young, cheap to collect.
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
    offset += block.bytes.length;
  }
}

interface Block {
  /** Full-size block (the 4 KiB file header, then 64 KiB chunks), zero-padded when the file ends early. */
  bytes: Buffer;
  /** How many of its bytes came from the file. */
  available: number;
}

/**
 * A file stream over the whole file (no `start`/`end` option: properties Node's ReadStream has,
 * though its typings leave them out) that nothing has read from yet, still opening or given a
 * descriptor opened at the file's start (sources/open.ts): its blocks can be read at their file
 * positions instead (see `fileBlocks`).
 */
function wholeFileUnread(input: ReadStream): boolean {
  const range = input as ReadStream & { start?: number; end?: number; fd?: number | null };
  const unread = input.pending || (typeof range.fd === 'number' && input.bytesRead === 0 && input.readableLength === 0);
  return unread && range.start === undefined && range.end === Infinity;
}

/**
 * The blocks of a regular file, each read at its position (`pread`) into one buffer reused for
 * every chunk: cheaper than the stream (no 1 MiB stream buffers, no async read per chunk through
 * the thread pool, no stream machinery) and still one chunk in memory at a time. The stream is
 * used for the file it opens, and closed at the end; anything but a regular file (a pipe, a device)
 * is read through the stream.
 */
async function* fileBlocks(input: ReadStream): AsyncGenerator<Block> {
  try {
    const given = (input as ReadStream & { fd?: number | null }).fd;
    const fd = typeof given === 'number' ? given : ((await once(input, 'open')) as [number])[0];
    if (!fstatSync(fd).isFile()) {
      yield* blocks(input);
      return;
    }
    // Reused: a block is fully decoded before the next is read, and nothing decoded refers to it.
    const buffer = Buffer.allocUnsafeSlow(CHUNK_BYTES);
    let size = FILE_HEADER_BYTES;
    for (let position = 0; ; position += size, size = CHUNK_BYTES) {
      const bytes = buffer.subarray(0, size);
      const available = readFully(fd, bytes, position);
      if (available === 0) return;
      // Not zero-filled: every byte is written before use, and a block cut short is zeroed past its end.
      if (available < size) bytes.fill(0, available);
      yield { bytes, available };
      if (available < size) return;
    }
  } finally {
    input.destroy();
  }
}

/** Read `bytes.length` bytes at `position`, fewer only at the end of the file. */
function readFully(fd: number, bytes: Buffer, position: number): number {
  let filled = 0;
  while (filled < bytes.length) {
    const n = readSync(fd, bytes, filled, bytes.length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled;
}

/**
 * Cut the stream into the file header block and chunks, holding one chunk at a time. A block that
 * lies whole in what the stream delivered is used in place; otherwise it is assembled in a buffer
 * reused for every chunk (a block is fully consumed before the next one is asked for, and nothing
 * decoded from it keeps a reference to it).
 */
async function* blocks(input: Readable): AsyncGenerator<Block> {
  let size = FILE_HEADER_BYTES;
  let assembly: Buffer | undefined;
  let filled = 0;
  for await (const data of input as AsyncIterable<Buffer | string>) {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    let at = 0;
    while (at < bytes.length) {
      if (filled === 0 && bytes.length - at >= size) {
        yield { bytes: bytes.subarray(at, at + size), available: size };
        at += size;
        size = CHUNK_BYTES;
        continue;
      }
      // Not zero-filled: every byte is written before use, and a block cut short is zeroed past its end.
      if (assembly === undefined || assembly.length !== size) assembly = Buffer.allocUnsafeSlow(size);
      const n = Math.min(size - filled, bytes.length - at);
      bytes.copy(assembly, filled, at, at + n);
      filled += n;
      at += n;
      if (filled === size) {
        yield { bytes: assembly, available: size };
        size = CHUNK_BYTES;
        filled = 0;
      }
    }
  }
  if (filled > 0 && assembly !== undefined) {
    assembly.fill(0, filled); // a file cut short: the missing part reads as zero
    yield { bytes: assembly, available: filled };
  }
}
