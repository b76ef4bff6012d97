import type { Readable } from 'node:stream';
import type { NormalizedEvent } from '../events/event.js';

/** A record a reader could not turn into an event. It is counted and reported; reading goes on. */
export interface BadRecord {
  file: string;
  format: string;
  line?: number;
  record?: number;
  offset?: number;
  reason: string;
}

export interface ReadContext {
  /** Path as given by the user (or `-` for stdin); goes into provenance. */
  file: string;
  /** Called once per bad record. Must not throw. */
  bad(record: BadRecord): void;
}

/**
 * One input format. A new format is one file exporting one of these plus its tests,
 * and one line in `registry.ts`.
 */
export interface SourceReader {
  /** Short stable name, used by `--input-format` and in provenance. */
  readonly format: string;
  /**
   * True when no record spans a line break, so a byte range that starts right after a newline
   * can be read on its own: the parallel scan splits large inputs of such formats (see
   * SplittableReader).
   */
  readonly splittable?: boolean;
  /**
   * For a splittable format whose files may also come in a shape that is not (a JSON array or
   * pretty-printed objects, json-shape.ts): whether this input, known by its head, may be split.
   */
  splitsInput?(head: string): boolean;
  /**
   * True when the reader reads a file stream's file at positions itself (evtx.ts): it is given a
   * fresh, unread stream of the file rather than the sniffed one replayed.
   */
  readonly readsFile?: boolean;
  /**
   * True when the reader decodes UTF-16 input itself (windows-xml.ts: its byte offsets are the
   * file's own). Any other text reader is given UTF-16 input as UTF-8 (utf16.ts).
   */
  readonly decodesUtf16?: boolean;
  /** One-line human description for `--help`. */
  readonly description: string;
  /**
   * Content sniffing: given the first bytes of the input (at most 64 KiB, decoded as UTF-8, or
   * as UTF-16 where utf16.ts finds it),
   * return a confidence in [0, 1]; 0 means "not mine". The highest score wins.
   */
  sniff(head: string): number;
  /**
   * Stream the input, yielding events in batches (to keep per-event async overhead low).
   * Must never buffer the whole input; must report bad records through `ctx.bad` and continue.
   */
  read(input: Readable, ctx: ReadContext): AsyncIterable<NormalizedEvent[]>;
}

/**
 * A byte range of a file as chunks of one buffer, reused: a chunk's bytes are valid until the
 * next chunk is asked for (file-range.ts).
 */
export type ReusedChunks = AsyncIterable<Buffer>;

/** A format the parallel scan splits: its reader also reads a range's reused chunks, holding none past the next. */
export interface SplittableReader extends SourceReader {
  readonly splittable: true;
  read(input: Readable | ReusedChunks, ctx: ReadContext): AsyncIterable<NormalizedEvent[]>;
}
