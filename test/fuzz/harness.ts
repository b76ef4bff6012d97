/**
 * Property-based fuzzing with fast-check (Jazzer.js does not load here: its prebuilt fuzzer
 * needs glibc 2.38, and older releases download their binary at install time). Inputs are real
 * files (../shared/corpus, samples/, test fixtures) mutated: bytes flipped, format tokens
 * inserted, ranges deleted or repeated, truncation, and random chunking of the stream.
 *
 * The normal suite runs a few hundred cases per target with a fixed seed; `npm run fuzz` runs
 * many more (FUZZ_RUNS, FUZZ_SEED) and writes each case to FUZZ_LAST_INPUT first, so a case
 * that hangs the process is on disk when an outer timeout stops it.
 */
import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import fc from 'fast-check';
import { afterAll, beforeAll } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import type { BadRecord, SourceReader } from '../../src/sources/reader.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '../..');
export const CORPUS = resolve(REPO, '../shared/corpus/real');

export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined;
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 23010);
const LAST_INPUT = process.env.FUZZ_LAST_INPUT;

/**
 * fast-check parameters: the short run's case count unless FUZZ_RUNS says otherwise. Long runs
 * also bound each case's time (a case that does not settle in 10 s is a hang: a finding); the
 * short run in the test suite leaves that to the test's timeout (no timed assertions there).
 */
export function params(shortRuns: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: FUZZ_RUNS ?? shortRuns, endOnFailure: true, ...(FUZZ_RUNS ? { timeout: 10_000 } : {}) };
}

/** Resident memory a case may leave the process at: far above what any input here needs. */
export const MAX_RSS_BYTES = 1.5 * 1024 ** 3;

let recorded = 0;

/** Remember the case about to run (long runs only): what a hang leaves behind. */
export async function recordCase(target: string, bytes: Uint8Array | string): Promise<void> {
  if (LAST_INPUT) writeFileSync(LAST_INPUT, typeof bytes === 'string' ? `${target}\n${bytes}` : Buffer.concat([Buffer.from(`${target}\n`), bytes]));
  // A turn of the event loop every so many cases: the cases themselves settle in microtasks, and
  // vitest's worker, never getting to report, failed long runs with "Timeout calling onTaskUpdate".
  if (++recorded % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
}

/** Tokens that matter to the formats read here, inserted by the mutator. */
const TOKENS = [
  '{', '}', '[', ']', '"', ':', ',', '\n', '\r\n', '\r', '\\', '\\u', '\\"', 'null', 'true', '-1', '1e999', '0x7fffffff',
  '<', '>', '</Event>', '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">', '<![CDATA[', ']]>', '&lt', '&#0;', '<!--',
  '"events": [', '"starttime": ', '"Results": [', '{"Event": {', 'Record 1', 'type=EXECVE msg=audit(1.0:1): ', 'node=x ',
  'ElfChnk\0', 'ElfFile\0', '\0', '\u00ff', '\uFEFF', '\u001b[2J', '\u202e', '\uD800', '"""', "'", ',,,,', ' sysmon: ',
];

export type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'repeat'; at: number; length: number; times: number }
  | { kind: 'truncate'; at: number };

const tokenBytes = fc.constantFrom(...TOKENS).map((t) => new Uint8Array(Buffer.from(t, 'utf8')));

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.oneof(tokenBytes, fc.uint8Array({ minLength: 1, maxLength: 24 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 4096 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 512 }), times: fc.integer({ min: 2, max: 20 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

export function mutate(seed: Uint8Array, mutations: readonly Mutation[]): Buffer {
  let bytes = Buffer.from(seed);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
    switch (m.kind) {
      case 'flip':
        if (at < bytes.length) bytes[at] = m.value;
        break;
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
        break;
      case 'repeat': {
        const part = bytes.subarray(at, at + m.length);
        bytes = Buffer.concat([bytes.subarray(0, at), ...Array<Buffer>(m.times).fill(part), bytes.subarray(at + m.length)]);
        break;
      }
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
    }
  }
  return bytes;
}

/** A mutated seed and how to cut it into chunks. */
export interface Case {
  seed: number;
  mutations: Mutation[];
  chunks: number[];
}

export const caseOf = (seeds: number) =>
  fc.record({
    seed: fc.nat({ max: seeds - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 5 }),
    chunks: fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 4 }),
  });

/** The bytes as a stream cut into chunks of the given sizes (repeated). */
export function streamOf(bytes: Buffer, sizes: readonly number[]): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks, { objectMode: false });
}

export interface ReadOutcome {
  events: NormalizedEvent[];
  bad: BadRecord[];
}

/**
 * The invariants every reader keeps on any input: a bad record names its file, a position
 * (line, record or byte offset) and a reason; no more events than bytes; each event has its
 * provenance. Returns the problems found ('' when none).
 */
export function invariantProblems(outcome: ReadOutcome, file: string, bytes: number): string {
  const problems: string[] = [];
  for (const b of outcome.bad) {
    if (b.file !== file) problems.push(`bad record names file ${JSON.stringify(b.file)}`);
    if (b.line === undefined && b.record === undefined && b.offset === undefined) problems.push(`bad record without a position: ${b.reason}`);
    if (typeof b.reason !== 'string' || b.reason === '') problems.push('bad record without a reason');
  }
  if (outcome.events.length > bytes + 1) problems.push(`${outcome.events.length} events from ${bytes} bytes`);
  const rss = process.memoryUsage.rss();
  if (rss > MAX_RSS_BYTES) problems.push(`resident memory ${Math.round(rss / 2 ** 20)} MiB after the case`);
  for (const e of outcome.events) {
    if (e.source.file !== file) problems.push('event without its file');
    if (e.fields === null || typeof e.fields !== 'object') problems.push('event without fields');
  }
  return problems.slice(0, 5).join('; ');
}

/** The file name readers are told. */
export const FUZZ_FILE = 'fuzz-input';
const scratch = mkdtempSync(join(tmpdir(), 'sw-fuzz-'));

/** Read bytes with a reader; an exception escaping it is returned, never thrown. */
export async function readBytes(reader: SourceReader, bytes: Buffer, chunks: readonly number[]): Promise<ReadOutcome & { error?: unknown }> {
  const outcome: ReadOutcome & { error?: unknown } = { events: [], bad: [] };
  // A reader that reads the file itself (EVTX) is given a file stream, as readInputs does.
  let input;
  if (reader.readsFile) {
    const path = join(scratch, `${reader.format}.bin`);
    writeFileSync(path, bytes);
    input = createReadStream(path);
  } else input = streamOf(bytes, chunks);
  try {
    for await (const batch of reader.read(input, { file: FUZZ_FILE, bad: (b) => outcome.bad.push(b) })) outcome.events.push(...batch);
  } catch (error) {
    outcome.error = error;
  } finally {
    input.destroy();
  }
  return outcome;
}


/**
 * With FUZZ_COVERAGE=DIR, V8's block coverage of this test file's run is written to DIR (what
 * `node test/fuzz/coverage.mjs DIR` sums up): vitest's workers exit without writing
 * NODE_V8_COVERAGE, so the file asks V8 itself.
 */
export function collectCoverage(name: string): void {
  const dir = process.env.FUZZ_COVERAGE;
  if (!dir) return;
  const session = new Session();
  beforeAll(async () => {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  });
  afterAll(async () => {
    const { result } = await session.post('Profiler.takePreciseCoverage');
    writeFileSync(join(dir, `${name}.json`), JSON.stringify({ result }));
    session.disconnect();
  });
}
