import { closeSync, openSync, readSync } from 'node:fs';
import { setImmediate } from 'node:timers/promises';
import type { ReusedChunks } from './reader.js';

/**
 * Bytes `start` to `end` (exclusive) of a file, as chunks of one buffer reused for each chunk
 * and filled synchronously, on the thread that reads them: how a parallel scan reads its byte
 * ranges (parallel/scanner.ts). fs.createReadStream fills a fresh buffer per chunk on libuv's
 * threads: each fresh buffer is new memory for the kernel to map (page faults), and garbage for
 * the thread's GC, and libuv's threads take a core from the scanners. From the page cache a
 * chunk is a short copy, less than the hop to another thread. The kernel still reads ahead of a
 * sequential reader on disk (docs/performance.md#reused-range-buffer).
 */
export async function* fileRangeChunks(path: string, start: number, end: number, chunkBytes: number): ReusedChunks {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafeSlow(Math.max(1, Math.min(chunkBytes, end - start)));
    for (let at = start; at < end; ) {
      const bytesRead = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
      if (bytesRead === 0) return; // the file shrank since the scan was planned
      at += bytesRead;
      yield buffer.subarray(0, bytesRead);
      // A turn of the event loop per chunk, as a stream gives: the main thread scans ranges too,
      // and answers the workers in between (without it, they waited for their next tasks).
      await setImmediate();
    }
  } finally {
    closeSync(fd);
  }
}
