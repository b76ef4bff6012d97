import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { NormalizedEvent } from '../../src/events/event.js';
import type { BadRecord, SourceReader } from '../../src/sources/reader.js';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = resolve(here, '../fixtures/sources');
export const fixture = (name: string): string => join(FIXTURES, name);

/** The real corpus lives next to the repo (never copied into it); tests fail loudly without it. */
export function corpusFile(relative: string): string {
  const path = resolve(here, '../../../shared/corpus/real', relative);
  if (!existsSync(path)) throw new Error(`${path} not found: this test needs ../shared/corpus (see README)`);
  return path;
}

export interface ReadResult {
  events: NormalizedEvent[];
  bad: BadRecord[];
  batches: number;
}

export async function readWith(reader: SourceReader, input: Readable, file = 'test-input'): Promise<ReadResult> {
  const result: ReadResult = { events: [], bad: [], batches: 0 };
  for await (const batch of reader.read(input, { file, bad: (b) => result.bad.push(b) })) {
    result.batches++;
    result.events.push(...batch);
  }
  return result;
}

export const readFixture = (reader: SourceReader, name: string): Promise<ReadResult> =>
  readWith(reader, createReadStream(fixture(name)), name);

/** The bytes of `data` as a stream cut into chunks of the given sizes (repeated), to hit awkward split points. */
export function chunked(data: Buffer | string, sizes: number[]): Readable {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks, { objectMode: false });
}

export const fixtureBytes = (name: string): Buffer => readFileSync(fixture(name));

/** Events without provenance, to compare reads of the same data cut differently. */
export const withoutSource = (events: NormalizedEvent[]) => events.map(({ source: _source, ...rest }) => rest);
