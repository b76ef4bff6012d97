/**
 * The entry point the CLI uses: expand the paths, pick a reader per input (by `--input-format`
 * or by sniffing the first 64 KiB), and stream normalized events in batches.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { NormalizedEvent } from '../events/event.js';
import { peek, SNIFF_BYTES } from './peek.js';
import type { BadRecord, SourceReader } from './reader.js';
import { READERS } from './registry.js';

export type { BadRecord } from './reader.js';

export interface OpenOptions {
  inputFormat?: string;
  onBad(b: BadRecord): void;
}

export interface InputBatch {
  input: string;
  format: string;
  events: NormalizedEvent[];
}

export const readers: readonly SourceReader[] = READERS;

export { SNIFF_BYTES };
/**
 * Bytes per read of a file. A chunk's lines live until its events are detected, so the chunk
 * size decides how many lines a scavenge finds alive (and promotes): larger reads save thread
 * pool round trips but raise the peak (docs/performance.md#read-chunk-size).
 */
export const READ_CHUNK_BYTES = 256 * 1024;

/** Found in folders but never telemetry: skipped silently. */
const SKIPPED_EXTENSIONS = new Set(['.md', '.markdown', '.yml', '.yaml']);
/** Telemetry this build cannot read yet: one bad record each. */
const UNSUPPORTED: Record<string, string> = {
  '.gz': 'compressed input is not supported; decompress it first',
  '.zip': 'compressed input is not supported; decompress it first',
};

/**
 * Expand paths (files; folders recursively, sorted; '-' = stdin), sniff each input's format from
 * its first 64 KiB (or use inputFormat), and stream normalized events in batches.
 *
 * The first batch of every input that gets a reader has `events: []`: it reports the chosen
 * format even when the input turns out to hold no events. Inputs that cannot be read or
 * recognized produce one bad record each, and reading goes on with the next input.
 * Throws (before reading anything) if `inputFormat` names no reader.
 */
export async function* readInputs(paths: string[], opts: OpenOptions): AsyncGenerator<InputBatch> {
  const forced = opts.inputFormat === undefined ? undefined : readerByName(opts.inputFormat);
  for await (const input of expandPaths(paths, opts.onBad)) {
    yield* readOne(input, forced, opts.onBad);
  }
}

function readerByName(name: string): SourceReader {
  const reader = READERS.find((r) => r.format === name);
  if (reader === undefined) {
    throw new Error(`unknown input format "${name}"; known: ${READERS.map((r) => r.format).join(', ')}`);
  }
  return reader;
}

/** The reader with the highest sniff score, if any scores above 0 (ties go to registry order). */
export function sniffFormat(head: string): SourceReader | undefined {
  let best: SourceReader | undefined;
  let bestScore = 0;
  for (const reader of READERS) {
    const score = reader.sniff(head);
    if (score > bestScore) {
      best = reader;
      bestScore = score;
    }
  }
  return best;
}

async function* readOne(
  input: string,
  forced: SourceReader | undefined,
  onBad: (b: BadRecord) => void,
): AsyncGenerator<InputBatch> {
  let stream: Readable = input === '-' ? process.stdin : createReadStream(input, { highWaterMark: READ_CHUNK_BYTES });
  let format = forced?.format ?? 'unknown';
  try {
    const { head, replay } = await peek(stream, SNIFF_BYTES);
    const reader = forced ?? sniffFormat(new TextDecoder().decode(head));
    if (reader === undefined) {
      onBad({ file: input, format, reason: 'unrecognized format; use --input-format' });
      return;
    }
    format = reader.format;
    yield { input, format, events: [] };
    let source = replay;
    if (reader.readsFile && input !== '-') {
      // The reader reads the file at positions itself: a fresh stream of the file, from its start.
      stream.destroy();
      source = stream = createReadStream(input, { highWaterMark: READ_CHUNK_BYTES });
    }
    for await (const events of reader.read(source, { file: input, bad: onBad })) yield { input, format, events };
  } catch (err) {
    onBad({ file: input, format, reason: `cannot read: ${(err as Error).message}` });
  } finally {
    if (input !== '-') stream.destroy();
  }
}


/** Files in argument order; folders recursively in sorted order, skipping hidden and non-telemetry files. */
export async function* expandPaths(paths: string[], onBad: (b: BadRecord) => void): AsyncGenerator<string> {
  for (const path of paths) {
    if (path === '-') {
      yield path;
      continue;
    }
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (err) {
      onBad({ file: path, format: 'unknown', reason: `cannot read: ${(err as Error).message}` });
      continue;
    }
    if (!isDirectory) {
      if (isSupported(path, onBad)) yield path;
      continue;
    }
    yield* walk(path, onBad);
  }
}

async function* walk(folder: string, onBad: (b: BadRecord) => void): AsyncGenerator<string> {
  const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(path, onBad);
    else if (entry.isFile() && !SKIPPED_EXTENSIONS.has(extname(entry.name).toLowerCase()) && isSupported(path, onBad)) {
      yield path;
    }
  }
}

function isSupported(path: string, onBad: (b: BadRecord) => void): boolean {
  const reason = UNSUPPORTED[extname(path).toLowerCase()];
  if (reason !== undefined) onBad({ file: path, format: 'unknown', reason });
  return reason === undefined;
}
