/**
 * Per-chunk caches. Names and template definitions are stored once per chunk and referred to by
 * chunk offset from every record of that chunk, so each is decoded once per chunk; the caches are
 * dropped with the chunk (chunks are independent: offsets never cross a chunk boundary).
 */
import { EvtxError, need } from './errors.js';
import type { Template } from './tokens.js';
import { decoders } from './values.js';

const IN_PROGRESS: Template = { nodes: [] };

export class ChunkCache {
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, Template>();

  constructor(readonly chunk: Buffer) {}

  /** The name stored at `offset` (u32 next, u16 hash, u16 count, UTF-16), decoded once per chunk. */
  name(offset: number): string {
    let name = this.names.get(offset);
    if (name === undefined) {
      const b = this.chunk;
      need(offset, 8, b.length, 'name');
      const chars = b.readUInt16LE(offset + 6);
      need(offset + 8, chars * 2, b.length, 'name');
      name = decoders(b).ucs2Slice(offset + 8, offset + 8 + chars * 2);
      this.names.set(offset, name);
    }
    return name;
  }

  /** The template defined at `offset`, parsed by `parse` the first time it is asked for. */
  template(offset: number, parse: () => Template): Template {
    const cached = this.templates.get(offset);
    if (cached === IN_PROGRESS) throw new EvtxError(`template at ${offset} refers to itself`, offset);
    if (cached !== undefined) return cached;
    this.templates.set(offset, IN_PROGRESS);
    try {
      const template = parse();
      this.templates.set(offset, template);
      return template;
    } catch (err) {
      // A broken definition stays uncached: every record using it is reported, none is misread.
      this.templates.delete(offset);
      throw err;
    }
  }
}
