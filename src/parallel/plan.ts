import { open } from 'node:fs/promises';
import { isGzip } from '../sources/gzip.js';
import { expandInputs, sniffFormat, SNIFF_BYTES, type InputReports } from '../sources/open.js';
import { READERS } from '../sources/registry.js';

/**
 * A unit of parallel work: a whole input, or a byte range of a large input whose format never
 * splits a record across lines. Ranges start right after a newline and end right after one
 * (or at the end of the file), so each can be read on its own.
 */
export interface ScanTask {
  id: number;
  input: string;
  /** The input is a command-line argument, not a file found in a folder (an unreadable one fails the scan: UnreadableInput). */
  named: boolean;
  /** Set for ranges: the format sniffed once for the whole file. */
  range?: { format: string; start: number; end: number; first: boolean };
  /** The whole input's size, when the plan knows it (parallel/threads.ts weighs the work by it). */
  size?: number;
}

/** Ranges big enough that per-task overhead vanishes, small enough to balance two cores. */
export const RANGE_BYTES = 16 * 1024 * 1024;

/**
 * The end of a file is cut finer (ranges of RANGE_BYTES / TAPER): the scan ends when the last
 * task does, and a thread that finishes first idles while the other reads the rest of its range
 * (docs/performance.md#byte-range-tasks-and-tapering).
 */
const TAPER = 4;
const TAPERED_BYTES = 2 * RANGE_BYTES;

export async function planTasks(paths: string[], inputFormat: string | undefined, reports: InputReports): Promise<ScanTask[]> {
  const tasks: ScanTask[] = [];
  for await (const { path: input, named, size } of expandInputs(paths, reports)) {
    // A file whose size the walk already knows is opened only when it may be split.
    const ranges = size !== undefined && size <= RANGE_BYTES ? undefined : await splitIfLarge(input, inputFormat);
    if (!ranges) tasks.push({ id: tasks.length, input, named, size });
    else for (const range of ranges) tasks.push({ id: tasks.length, input, named, range });
  }
  return tasks;
}

async function splitIfLarge(input: string, inputFormat: string | undefined): Promise<ScanTask['range'][] | undefined> {
  let file;
  try {
    file = await open(input, 'r');
  } catch {
    return undefined; // the worker reports it as a bad record when it tries
  }
  try {
    const size = (await file.stat()).size;
    if (size <= RANGE_BYTES) return undefined;
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(head, 0, SNIFF_BYTES, 0);
    // Byte ranges of a compressed file are not lines of what it holds: read whole.
    if (isGzip(head.subarray(0, bytesRead))) return undefined;
    const text = new TextDecoder().decode(head.subarray(0, bytesRead));
    const reader = inputFormat ? READERS.find((r) => r.format === inputFormat) : sniffFormat(text);
    if (!reader?.splittable || reader.splitsInput?.(text) === false) return undefined;
    const ranges: ScanTask['range'][] = [];
    let start = 0;
    while (start < size) {
      const step = size - start <= TAPERED_BYTES ? RANGE_BYTES / TAPER : RANGE_BYTES;
      const end = await nextLineStart(file, Math.min(start + step, size), size);
      ranges.push({ format: reader.format, start, end, first: start === 0 });
      start = end;
    }
    return ranges;
  } finally {
    await file.close();
  }
}

/** The offset just after the first newline at or after `from` (or the end of the file). */
async function nextLineStart(file: import('node:fs/promises').FileHandle, from: number, size: number): Promise<number> {
  const buf = Buffer.alloc(64 * 1024);
  for (let pos = from; pos < size; pos += buf.length) {
    const { bytesRead } = await file.read(buf, 0, buf.length, pos);
    const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
    if (nl !== -1) return pos + nl + 1;
  }
  return size;
}
