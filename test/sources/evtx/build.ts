/**
 * Builds small EVTX files byte by byte, for tests of tokens and value types that the real corpus
 * does not contain. Written from the format description (libyal's EVTX documentation), not from
 * the reader: names and template definitions are stored inline at their first use, as Windows does.
 */
import { crc32Table } from '../../../src/sources/evtx/crc32.js';

/** A byte sequence that knows the chunk offset it will be placed at (inline names refer to it). */
export class Bytes {
  private parts: number[] = [];
  constructor(readonly base: number) {}
  get pos(): number {
    return this.base + this.parts.length;
  }
  u8(...values: number[]): this {
    for (const v of values) this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v, v >> 8);
  }
  u32(v: number): this {
    return this.u8(v, v >> 8, v >> 16, v >>> 24);
  }
  raw(bytes: Uint8Array | number[]): this {
    for (const b of bytes) this.parts.push(b);
    return this;
  }
  utf16(text: string): this {
    return this.raw(Buffer.from(text, 'utf16le'));
  }
  /** A name reference stored inline: offset = here + 4, then next (u32), hash (u16), count, chars, NUL. */
  name(text: string): this {
    this.u32(this.pos + 4).u32(0).u16(0).u16(text.length).utf16(text).u16(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  toBuffer(): Buffer {
    return Buffer.from(this.parts);
  }
}

export const T = {
  open: (b: Bytes, name: string, attrs: boolean, inTemplate = true) => {
    b.u8(attrs ? 0x41 : 0x01);
    if (inTemplate) b.u16(0xffff); // dependency identifier
    b.u32(0).name(name); // data size (not used by readers)
    if (attrs) b.u32(0); // attribute list size
  },
  attr: (b: Bytes, name: string) => b.u8(0x06).name(name),
  close: (b: Bytes) => b.u8(0x02),
  closeEmpty: (b: Bytes) => b.u8(0x03),
  end: (b: Bytes) => b.u8(0x04),
  text: (b: Bytes, text: string) => b.u8(0x05, 0x01).u16(text.length).utf16(text),
  cdata: (b: Bytes, text: string) => b.u8(0x07).u16(text.length).utf16(text),
  charRef: (b: Bytes, code: number) => b.u8(0x08).u16(code),
  entityRef: (b: Bytes, name: string) => b.u8(0x09).name(name),
  piTarget: (b: Bytes, name: string) => b.u8(0x0a).name(name),
  piData: (b: Bytes, text: string) => b.u8(0x0b).u16(text.length).utf16(text),
  sub: (b: Bytes, index: number, type: number) => b.u8(0x0d).u16(index).u8(type),
  optSub: (b: Bytes, index: number, type: number) => b.u8(0x0e).u16(index).u8(type),
  fragmentHeader: (b: Bytes) => b.u8(0x0f, 0x01, 0x01, 0x00),
  eof: (b: Bytes) => b.u8(0x00),
};

export interface Value {
  type: number;
  /** The value's bytes, or a function of the chunk offset they land at (for embedded Binary XML). */
  bytes: number[] | ((at: number) => number[]);
}

/**
 * A template instance: token, version byte, template id, definition offset; the definition itself
 * when `inline` (next offset, GUID, data size, body); then the values.
 */
export function instance(b: Bytes, definitionAt: number | 'inline', body: (t: Bytes) => void, values: Value[]): number {
  b.u8(0x0c, 0x01).u32(0x1234);
  let at = definitionAt;
  if (at === 'inline') {
    at = b.pos + 4;
    b.u32(at);
    const definition = new Bytes(b.pos + 24);
    body(definition);
    b.u32(0).raw(new Array(16).fill(0xab)).u32(definition.length).raw(definition.toBuffer());
  } else {
    b.u32(at);
  }
  b.u32(values.length);
  // Sizes first: embedded values are laid out after every descriptor, in order.
  let valueAt = b.pos + values.length * 4;
  const resolved = values.map((v) => {
    const bytes = typeof v.bytes === 'function' ? v.bytes(valueAt) : v.bytes;
    valueAt += bytes.length;
    return bytes;
  });
  values.forEach((v, i) => b.u16(resolved[i].length).u8(v.type, 0));
  for (const bytes of resolved) b.raw(bytes);
  return at;
}

/** An event record at chunk offset `at` whose Binary XML is written by `xml`. */
export function record(at: number, id: number, xml: (b: Bytes) => void): Buffer {
  const body = new Bytes(at + 24);
  xml(body);
  const size = 24 + body.length + 4;
  const out = new Bytes(at);
  out.u32(0x00002a2a).u32(size).u32(id).u32(0).u32(0).u32(0).raw(body.toBuffer()).u32(size);
  return out.toBuffer();
}

/** A file: header + one chunk holding `records` (built by `write(at)` for each record offset). */
export function evtxFile(records: ((at: number) => Buffer)[]): Buffer {
  const chunk = Buffer.alloc(65536);
  chunk.write('ElfChnk\0', 0, 'latin1');
  let at = 512;
  for (const write of records) {
    const bytes = write(at);
    bytes.copy(chunk, at);
    at += bytes.length;
  }
  chunk.writeUInt32LE(1, 8); // first record number
  chunk.writeUInt32LE(records.length, 16); // last record number
  chunk.writeUInt32LE(128, 40); // header size
  chunk.writeUInt32LE(at, 48); // free space offset
  chunk.writeUInt32LE(crc32Table(chunk, 512, at), 52);
  chunk.writeUInt32LE(crc32Table(chunk, 128, 512, crc32Table(chunk, 0, 120)), 124);
  const header = Buffer.alloc(4096);
  header.write('ElfFile\0', 0, 'latin1');
  header.writeUInt32LE(1, 24); // next record id
  header.writeUInt32LE(128, 32);
  header.writeUInt16LE(1, 36);
  header.writeUInt16LE(3, 38);
  header.writeUInt16LE(4096, 40);
  header.writeUInt16LE(1, 42);
  header.writeUInt32LE(crc32Table(header, 0, 120), 124);
  return Buffer.concat([header, chunk]);
}
