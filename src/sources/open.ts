/**
 * The entry point the CLI uses: expand the paths, pick a reader per input (by `--input-format`
 * or by sniffing the first 64 KiB), and stream normalized events in batches.
 */
import { createReadStream, fstatSync, openSync, readSync, realpathSync, statSync, type ReadStream, type Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import type { NormalizedEvent } from '../events/event.js';
import { peek, SNIFF_BYTES } from './peek.js';
import type { BadRecord, SourceReader } from './reader.js';
import { READERS } from './registry.js';
import { evtxReader } from './evtx.js';
import { FILE_SIGNATURE } from './evtx/file-header.js';
import { gunzipped, isGzip } from './gzip.js';
import { isZip, zipMembers } from './zip.js';
import { asUtf8, decodeHead, utf16Of } from './utf16.js';

const EVTX_SIGNATURE = Buffer.from(FILE_SIGNATURE, 'latin1');
/** A regular file's first read: enough for EVTX's signature, small beside its first chunk. */
const FIRST_READ_BYTES = 4096;

export type { BadRecord } from './reader.js';

/**
 * An input that could not be read at all, as opposed to a bad record inside a readable file
 * (BadRecord). Reported once per input, with the reason; reading goes on with the next input.
 * For the CLI: like grep, an input named on the command line that cannot be read should make
 * the command exit 2 once the rest is scanned (`named`); an unreadable entry found inside a
 * named folder is reported the same way with `named: false` (grep -r exits 2 for those too).
 */
export interface UnreadableInput {
  /** The path as found: the argument itself, or a path inside a folder given as argument. */
  file: string;
  /** True when `file` is itself a command-line argument. */
  named: boolean;
  /**
   * The system error code (ENOENT, EACCES, ENOTDIR, EISDIR, ELOOP, EIO, …), or
   * `UNSUPPORTED` (a zip entry yauzl cannot read: encrypted, an unknown method) or `UNRECOGNIZED`
   * (no reader knows its content; empty input).
   */
  code: string;
  reason: string;
}

/** An input deliberately not read, with why: a warning, not an error. */
export interface SkippedInput {
  file: string;
  reason: string;
}

/** Identity of a file (stat's dev + ino): the same file under any path or link. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

/** Where expandPaths and readInputs report what they cannot or will not read. */
export interface InputReports {
  /** Bad records inside readable inputs (and, when onUnreadable is not given, unreadable inputs too). */
  onBad(b: BadRecord): void;
  /** Inputs that cannot be opened, listed or read at all (see UnreadableInput). */
  onUnreadable?(input: UnreadableInput): void;
  /**
   * Files never to read, e.g. the file stdout writes to (outputIdentity()): `dump DIR >
   * DIR/out.jsonl` would otherwise read its own growing output forever.
   */
  exclude?: readonly FileIdentity[];
  /** Inputs skipped on purpose (an excluded file, a folder or file already read through a symlink). Default: onBad. */
  onSkip?(input: SkippedInput): void;
}

export interface OpenOptions extends InputReports {
  inputFormat?: string;
}

/**
 * The identity of the regular file a descriptor writes to (1 = stdout), to pass in
 * `InputReports.exclude`; undefined for a terminal, pipe or socket.
 */
export function outputIdentity(fd = 1): FileIdentity | undefined {
  try {
    const s = fstatSync(fd);
    return s.isFile() ? { dev: s.dev, ino: s.ino } : undefined;
  } catch {
    return undefined;
  }
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
/**
 * Expand paths (files; folders recursively, sorted; '-' = stdin), sniff each input's format from
 * its first 64 KiB (or use inputFormat), and stream normalized events in batches.
 *
 * The first batch of every input that gets a reader has `events: []`: it reports the chosen
 * format even when the input turns out to hold no events. Inputs that cannot be read or
 * recognized are reported once each (onUnreadable, else onBad), and reading goes on with the
 * next input. Throws (before reading anything) if `inputFormat` names no reader.
 */
export function readInputs(paths: string[], opts: OpenOptions): AsyncGenerator<InputBatch> {
  return readFound(expandInputs(paths, opts), opts);
}

/** readInputs over inputs expanded already (by expandInputs, whose reports were made then). */
export async function* readFound(found: AsyncIterable<FoundInput> | Iterable<FoundInput>, opts: OpenOptions): AsyncGenerator<InputBatch> {
  const forced = opts.inputFormat === undefined ? undefined : readerByName(opts.inputFormat);
  const report = reporter(opts);
  for await (const { path, named } of found) {
    yield* readOne(path, forced, opts.onBad, (file, code, reason) => report.unreadable(file, named, code, reason));
  }
}

interface Reporter {
  unreadable(file: string, named: boolean, code: string, reason: string): void;
  skip(file: string, reason: string): void;
}

/** onUnreadable and onSkip, or onBad for callers that give only that. */
function reporter(reports: InputReports): Reporter {
  return {
    unreadable(file, named, code, reason) {
      if (reports.onUnreadable) reports.onUnreadable({ file, named, code, reason });
      else reports.onBad({ file, format: 'unknown', reason });
    },
    skip(file, reason) {
      if (reports.onSkip) reports.onSkip({ file, reason });
      else reports.onBad({ file, format: 'unknown', reason: `skipped: ${reason}` });
    },
  };
}

/** The reader `--input-format` names; a UsageError for a name no reader has. */
export function readerByName(name: string): SourceReader {
  const reader = READERS.find((r) => r.format === name);
  if (reader === undefined) {
    throw new UsageError(`--input-format: unknown format '${name}'; known: ${READERS.map((r) => r.format).join(', ')}`);
  }
  return reader;
}

/** EVTX's file signature: a binary format is known by its bytes, without decoding 64 KiB as text for every reader. */
function isEvtx(head: Buffer): boolean {
  return head.subarray(0, EVTX_SIGNATURE.length).equals(EVTX_SIGNATURE);
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

/** Reports an input (or an archive's entry) that cannot be read: its name, the code, why. */
type Unreadable = (file: string, code: string, reason: string) => void;

async function* readOne(input: string, forced: SourceReader | undefined, onBad: (b: BadRecord) => void, unreadable: Unreadable): AsyncGenerator<InputBatch> {
  let stream: Readable | undefined;
  try {
    const opened = input === '-' ? undefined : openRegularFile(input);
    stream = opened?.stream ?? (input === '-' ? process.stdin : createReadStream(input, { highWaterMark: READ_CHUNK_BYTES }));
    const { head, replay } = opened ?? (await peek(stream, SNIFF_BYTES));
    // A zip archive's entries are inputs of their own (zip.ts); it is read from its central directory.
    if (opened !== undefined && isZip(head)) {
      stream.destroy();
      yield* readArchive(input, forced, onBad, unreadable);
      return;
    }
    // The reader reads the file at positions itself: a fresh stream of the file, from its start.
    const reopen = input !== '-' && !opened
      ? () => {
          stream?.destroy();
          return (stream = createReadStream(input, { highWaterMark: READ_CHUNK_BYTES }));
        }
      : undefined;
    yield* readContent(input, head, replay, forced, onBad, unreadable, reopen);
  } catch (err) {
    failed(input, 'unknown', false, err, onBad, unreadable);
  } finally {
    if (input !== '-') stream?.destroy();
  }
}

/**
 * Each file entry of a zip archive read as an input named `ARCHIVE!/ENTRY`; an archive whose
 * central directory cannot be read (cut short, damaged) is an input not read, after the entries
 * read before the damage.
 */
async function* readArchive(archive: string, forced: SourceReader | undefined, onBad: (b: BadRecord) => void, unreadable: Unreadable): AsyncGenerator<InputBatch> {
  try {
    yield* readMembers(archive, forced, onBad, unreadable);
  } catch (err) {
    unreadable(archive, 'UNRECOGNIZED', `cannot read the zip archive: ${(err as Error).message}`);
  }
}

async function* readMembers(archive: string, forced: SourceReader | undefined, onBad: (b: BadRecord) => void, unreadable: Unreadable): AsyncGenerator<InputBatch> {
  for await (const member of zipMembers(archive, (name) => SKIPPED_EXTENSIONS.has(extname(name).toLowerCase()))) {
    const name = `${archive}!/${member.name}`;
    let stream: Readable;
    try {
      stream = await member.open();
    } catch (err) {
      unreadable(name, 'UNSUPPORTED', `cannot read the zip entry: ${(err as Error).message}`);
      continue;
    }
    try {
      const { head, replay } = await peek(stream, SNIFF_BYTES);
      yield* readContent(name, head, replay, forced, onBad, unreadable, undefined);
    } catch (err) {
      failed(name, 'unknown', false, err, onBad, unreadable);
    } finally {
      stream.destroy();
    }
  }
}

/**
 * An input's content, its head already read: sniffed (as what it holds when gzip-compressed, as
 * UTF-8 when UTF-16) and read by the reader that knows it. `reopen`: a fresh stream of a file that
 * was not opened here, for a reader that reads its file at positions.
 */
async function* readContent(
  input: string,
  rawHead: Buffer,
  rawReplay: Readable,
  forced: SourceReader | undefined,
  onBad: (b: BadRecord) => void,
  unreadable: Unreadable,
  reopen: (() => Readable) | undefined,
): AsyncGenerator<InputBatch> {
  let format = forced?.format ?? 'unknown';
  let reading = false;
  try {
    let head = rawHead;
    let replay = rawReplay;
    // A gzip-compressed input is sniffed and read as what it holds (gzip.ts).
    const compressed = isGzip(head);
    if (compressed) ({ head, replay } = await peek(gunzipped(replay), SNIFF_BYTES));
    const utf16 = isEvtx(head) ? undefined : utf16Of(head);
    const reader = forced ?? (isEvtx(head) ? evtxReader : sniffFormat(utf16 ? decodeHead(head, utf16) : new TextDecoder().decode(head)));
    if (reader === undefined) {
      unreadable(input, 'UNRECOGNIZED', head.length === 0 ? 'empty input' : 'unrecognized format; use --input-format');
      return;
    }
    format = reader.format;
    yield { input, format, events: [] };
    let source = replay;
    if (reader.readsFile && reopen !== undefined && !compressed) source = reopen();
    // Text readers read UTF-8; a file reader (EVTX), or one that decodes UTF-16 itself, its own bytes.
    if (utf16 && !reader.readsFile && !reader.decodesUtf16) source = asUtf8(source, utf16);
    reading = true;
    for await (const events of reader.read(source, { file: input, bad: onBad })) yield { input, format, events };
  } catch (err) {
    failed(input, format, reading, err, onBad, unreadable);
  }
}

/**
 * A failure while reading an input: a system error (EACCES, EISDIR, EIO, ...) is the input's;
 * anything else is the reader's failure on this content: the records it had not reached yet are
 * lost, one bad record.
 */
function failed(input: string, format: string, reading: boolean, err: unknown, onBad: (b: BadRecord) => void, unreadable: Unreadable): void {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = `cannot read: ${systemMessage(err)}`;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) unreadable(input, code, reason);
  else onBad({ file: input, format, reason: reading ? `reader failed, rest of input skipped: ${(err as Error).message}` : reason });
}

/**
 * A regular file opened and its head read synchronously, and a stream of it from its start
 * (which owns the descriptor): opening, reading the head, closing and opening again through the
 * thread pool cost a folder of small files most of its wall time on a busy machine (280 EVTX
 * files: 60–220 ms against 12–17 ms; docs/performance.md#inputs-opened-synchronously).
 * Undefined for anything else (a pipe, a device), which is peeked through its stream.
 */
function openRegularFile(input: string): { stream: ReadStream; head: Buffer; replay: Readable } | undefined {
  if (!statSync(input).isFile()) return undefined;
  const fd = openSync(input, 'r');
  // From here the stream closes the descriptor, whatever happens.
  const stream = createReadStream(input, { fd, highWaterMark: READ_CHUNK_BYTES });
  try {
    const head = Buffer.allocUnsafe(SNIFF_BYTES);
    // At a position: the descriptor's own offset stays at the start, where the stream reads from.
    // EVTX is known by its first bytes, and its reader reads the file itself: the rest of the
    // 64 KiB the text formats are sniffed from is read only for other files (a folder of small
    // EVTX files read each one's first chunk twice; docs/performance.md#inputs-opened-synchronously).
    let size = readSync(fd, head, 0, FIRST_READ_BYTES, 0);
    if (size === FIRST_READ_BYTES && !isEvtx(head)) size += readSync(fd, head, size, SNIFF_BYTES - size, size);
    return { stream, head: head.subarray(0, size), replay: stream };
  } catch (err) {
    stream.destroy();
    throw err;
  }
}

/**
 * Files in argument order; folders recursively in sorted order, skipping hidden and non-telemetry
 * files. Symbolic links inside folders are followed; a folder or file reached again through a
 * link (a loop, or a second link to it) is skipped, by its real path. An argument that cannot be
 * read, an unreadable subfolder and a dangling link are reported (onUnreadable) and skipped.
 * Accepts a bare onBad for callers that only count bad records.
 */
export async function* expandPaths(paths: string[], reports: InputReports | ((b: BadRecord) => void)): AsyncGenerator<string> {
  for await (const { path } of expandInputs(paths, typeof reports === 'function' ? { onBad: reports } : reports)) yield path;
}

export interface FoundInput {
  path: string;
  /** The path is a command-line argument (not found inside a folder). */
  named: boolean;
  /** Its size in bytes, when expanding it took a stat anyway (parallel/plan.ts then opens only large files). */
  size?: number;
}

/** expandPaths, each path with whether it is a command-line argument (parallel/plan.ts: a task reports its input as found). */
export async function* expandInputs(paths: string[], options: InputReports): AsyncGenerator<FoundInput> {
  const report = reporter(options);
  const seen = new Set<string>(); // real paths of the folders and files found by walking
  const excluded = (s: Stats) => options.exclude?.some((id) => id.dev === s.dev && id.ino === s.ino) ?? false;
  const walkOptions: WalkState = { report, seen, excluded };
  for (const path of paths) {
    if (path === '-') {
      yield { path, named: true };
      continue;
    }
    let info: Stats;
    try {
      info = await stat(path);
    } catch (err) {
      report.unreadable(path, true, errorCode(err), `cannot read: ${systemMessage(err)}`);
      continue;
    }
    if (excluded(info)) {
      report.skip(path, 'it is the output file');
      continue;
    }
    if (!info.isDirectory()) {
      yield { path, named: true, size: info.isFile() ? info.size : undefined };
      continue;
    }
    const real = await realpath(path).catch(() => path);
    seen.add(real);
    yield* walk(path, true, walkOptions, real);
  }
}

interface WalkState {
  report: Reporter;
  seen: Set<string>;
  excluded(s: Stats): boolean;
}

/** `realFolder`: the folder's real path, from which its entries that are not links get theirs without a realpath each. */
async function* walk(folder: string, named: boolean, state: WalkState, realFolder: string): AsyncGenerator<FoundInput> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (err) {
    state.report.unreadable(folder, named, errorCode(err), `cannot list folder: ${systemMessage(err)}`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    if (!entry.isDirectory() && SKIPPED_EXTENSIONS.has(extname(entry.name).toLowerCase())) continue;
    let info: Stats;
    let real: string;
    try {
      // stat follows links: a link is read as what it points to.
      // Synchronously: a round trip through the thread pool per file costs more than the call
      // (docs/performance.md#inputs-opened-synchronously).
      info = entry.isSymbolicLink() ? statSync(path) : (entry as unknown as Stats);
      // Only a link can lead elsewhere; an entry that is none is where its folder is (a
      // realpath per file was a stat per component of its path).
      real = entry.isSymbolicLink() ? realpathSync(path) : join(realFolder, entry.name);
    } catch (err) {
      state.report.unreadable(path, false, errorCode(err), `cannot read: ${systemMessage(err)}`);
      continue;
    }
    if (!info.isDirectory() && !info.isFile()) continue; // sockets, FIFOs, devices found in a folder
    const identity = entry.isSymbolicLink() || info.isDirectory() ? info : statOrUndefined(path);
    if (identity !== undefined && state.excluded(identity)) {
      state.report.skip(path, 'it is the output file');
      continue;
    }
    if (state.seen.has(real)) {
      state.report.skip(path, `already read as ${real} (symbolic link)`);
      continue;
    }
    state.seen.add(real);
    if (info.isDirectory()) {
      yield* walk(path, false, state, real);
      continue;
    }
    yield { path, named: false, size: identity?.size };
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** A system error without the path Node appends (`ENOENT: no such file or directory`): reports name the path once. */
function systemMessage(err: unknown): string {
  return (err as Error).message.replace(/, \w+ '.*'$/, '');
}

function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : 'EREAD';
}

