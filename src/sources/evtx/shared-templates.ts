/**
 * Parsed templates shared by chunks, and by files. Each chunk stores its own copy of every
 * template definition it uses, so the chunks of a file (and the files of one source) hold the
 * same definitions again and again; parsing them and planning their flattening cost a tenth of
 * the reader's time on the corpus. A definition is parsed once and its template reused wherever
 * its bytes equal the stored ones, made independent of where the definition lies:
 * - a reference to a name stored inside the definition is a chunk offset: compared relative to
 *   the definition's start;
 * - a reference to a name stored elsewhere in the chunk (names are stored once per chunk, and
 *   later definitions refer to them): the name it leads to is compared, not the offset;
 * - each name stored in place starts with a link to the chunk's next name of the same hash, a
 *   chunk offset the parser never reads (it skips the bytes of a name stored in place): left out.
 * With every other byte and every name equal, the parser would read the same tokens and the same
 * names, so it would build the same template (`test/sources/evtx/shared-templates.test.ts`).
 *
 * Definitions holding a template instance (whose values are offsets into their own chunk) are not
 * shared. The store is bounded (entries and bytes) and emptied when full, so memory stays flat
 * whatever the input.
 */
import type { DefinitionRefs } from './binxml.js';
import type { ChunkCache } from './templates.js';
import type { Template } from './tokens.js';
import { decoders } from './values.js';

const MAX_ENTRIES = 512;
const MAX_BYTES = 4 << 20;

interface Shared {
  template: Template;
  /** The definition's data, position-independent (`normalize`). */
  bytes: Buffer;
  /** Positions in the data of its references to names inside it (u32 chunk offsets). */
  references: number[];
  /** Positions in the data of the next-name links of the names stored in place. */
  links: number[];
  /** Positions in the data of its references to names outside it, and those names. */
  externals: number[];
  externalNames: string[];
}

/** By the definition's GUID and data size (the 20 bytes before its data). */
const store = new Map<string, Shared>();
let storedBytes = 0;
/** A candidate definition is normalized here (a chunk holds no larger one). */
const candidate = Buffer.alloc(65536);

const keyOf = (b: Buffer, offset: number): string => decoders(b).latin1Slice(offset + 4, offset + 24);

/**
 * The stored template for the definition at chunk offset `offset` (header already checked: data
 * size inside the chunk), when its bytes and names are the stored definition's; undefined otherwise.
 */
export function sharedTemplate(cache: ChunkCache, offset: number): Template | undefined {
  const b = cache.chunk;
  const shared = store.get(keyOf(b, offset));
  if (shared === undefined) return undefined;
  const start = offset + 24;
  const size = shared.bytes.length;
  b.copy(candidate, 0, start, start + size);
  normalize(candidate, start, shared);
  if (!candidate.subarray(0, size).equals(shared.bytes)) return undefined;
  const { externals, externalNames } = shared;
  for (let i = 0; i < externals.length; i++) {
    const name = b.readUInt32LE(start + externals[i]);
    // Outside the definition as when it was parsed, readable (else parsing reports the damage).
    if (name >= start && name < start + size) return undefined;
    if (name + 8 > b.length || name + 8 + b.readUInt16LE(name + 6) * 2 > b.length) return undefined;
    if (cache.name(name) !== externalNames[i]) return undefined;
  }
  return shared.template;
}

/** Store the template just parsed from the definition at `offset`. */
export function shareTemplate(cache: ChunkCache, offset: number, template: Template, refs: DefinitionRefs): void {
  if (refs.instance) return;
  const b = cache.chunk;
  const start = offset + 24;
  const size = b.readUInt32LE(offset + 20);
  const end = start + size;
  const shared: Shared = { template, bytes: Buffer.from(b.subarray(start, end)), references: [], links: [], externals: [], externalNames: [] };
  for (let i = 0; i < refs.names.length; i += 2) {
    const field = refs.names[i];
    const name = refs.names[i + 1];
    if (name >= start && name < end) {
      // Inside: the whole name (link, hash, character count, characters) must be.
      if (name + 8 > end || name + 8 + b.readUInt16LE(name + 6) * 2 > end) return;
      shared.references.push(field - start);
      if (name === field + 4) shared.links.push(name - start);
    } else {
      shared.externals.push(field - start);
      shared.externalNames.push(cache.name(name));
    }
  }
  normalize(shared.bytes, start, shared);
  const key = keyOf(b, offset);
  const previous = store.get(key);
  if (previous !== undefined) storedBytes -= previous.bytes.length;
  if (store.size >= MAX_ENTRIES || storedBytes + size > MAX_BYTES) {
    store.clear();
    storedBytes = 0;
  }
  store.set(key, shared);
  storedBytes += size;
}

/** Internal name references made relative to the data's start (`start`: its chunk offset); links and external references zeroed. */
function normalize(data: Buffer, start: number, { references, links, externals }: Shared): void {
  for (const at of references) data.writeUInt32LE((data.readUInt32LE(at) - start) >>> 0, at);
  for (const at of links) data.writeUInt32LE(0, at);
  for (const at of externals) data.writeUInt32LE(0, at);
}
