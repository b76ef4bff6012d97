/**
 * Binary XML tokens → nodes (`tokens.ts`). Every token of the format is handled: fragment header,
 * open/close start element, close empty element, end element, value, attribute, CDATA, character
 * and entity references, processing-instruction target and data, template instance, normal and
 * optional substitutions, end of fragment. Template definitions are parsed once per chunk
 * (`ChunkCache`); a record's fragment yields an instance node pointing at its values in the chunk,
 * which `render.ts` decodes only when it needs them.
 *
 * All offsets are chunk-relative (names and templates are referred to by chunk offset). Every
 * read is bounds-checked, nesting is bounded, so damaged data ends in an `EvtxError`, never in a
 * crash or a loop.
 */
import { EvtxError, need } from './errors.js';
import { shareTemplate, sharedTemplate } from './shared-templates.js';
import type { ChunkCache } from './templates.js';
import { Token, type AttributeNode, type BxNode, type ElementNode, type InstanceNode, type Template } from './tokens.js';
import { decodeValue, utf16z, ValueType } from './values.js';

/** Deeper nesting than any real event: beyond it the data is damaged (or hostile). */
const MAX_DEPTH = 64;

/** A Map: an entity's name is the file's (`&toString;` is no entity). */
const ENTITIES = new Map([['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"]]);

/**
 * What a template definition refers to outside its own tokens, gathered while it is parsed: it
 * decides whether the parsed template may serve other chunks (`shared-templates.ts`).
 */
export interface DefinitionRefs {
  /** Per name reference: the chunk offset of its u32 field, then the name's chunk offset. */
  names: number[];
  /** A template instance inside the definition (its values' offsets are this chunk's). */
  instance: boolean;
}

export class FragmentParser {
  private pos: number;
  private readonly b: Buffer;

  constructor(
    private readonly cache: ChunkCache,
    start: number,
    private readonly end: number,
    /** Elements inside template definitions carry a 2-byte dependency identifier; others do not. */
    private readonly inTemplate: boolean,
    private readonly depth: number,
    /** Given when parsing a template definition: its references are noted here. */
    private readonly refs?: DefinitionRefs,
  ) {
    this.b = cache.chunk;
    this.pos = start;
    if (end > this.b.length) throw new EvtxError(`fragment end ${end} is past the chunk`, start);
    if (depth > MAX_DEPTH) throw new EvtxError('binary XML nested too deeply', start);
  }

  /** Top-level nodes up to the end-of-fragment token (or the end of the data). */
  fragment(): BxNode[] {
    const nodes: BxNode[] = [];
    while (this.pos < this.end) {
      const token = this.b[this.pos];
      switch (token & ~Token.MoreFlag) {
        case Token.EndOfFragment:
          this.pos++;
          return nodes;
        case Token.FragmentHeader:
          this.skip(4); // token, major, minor, flags
          break;
        case Token.OpenStartElement:
          nodes.push(this.element(0));
          break;
        case Token.TemplateInstance:
          nodes.push(this.templateInstance());
          break;
        case Token.PITarget:
        case Token.PIData:
          this.processingInstruction();
          break;
        default:
          throw this.unexpected(token, 'fragment');
      }
    }
    return nodes;
  }

  private element(level: number): ElementNode {
    if (this.depth + level > MAX_DEPTH) throw new EvtxError('elements nested too deeply', this.pos);
    const hasAttributes = (this.b[this.pos] & Token.MoreFlag) !== 0;
    this.skip(1 + (this.inTemplate ? 2 : 0) + 4); // token, dependency id, data size
    const name = this.name();
    if (hasAttributes) this.skip(4); // attribute list size
    const attrs: AttributeNode[] = [];
    while (this.pos < this.end && (this.b[this.pos] & ~Token.MoreFlag) === Token.Attribute) {
      this.pos++;
      const attributeName = this.name();
      const value: BxNode[] = [];
      this.content(value, level, true);
      let text: string | undefined = '';
      for (const node of value) text = node.kind === 0 && text !== undefined ? text + node.text : undefined;
      attrs.push({ name: attributeName, value, text });
    }
    need(this.pos, 1, this.end, 'element start');
    const close = this.b[this.pos++];
    const children: BxNode[] = [];
    if (close === Token.CloseStartElement) {
      this.content(children, level, false);
      need(this.pos, 1, this.end, 'end element');
      const token = this.b[this.pos];
      if (token !== Token.EndElement) throw this.unexpected(token, `element <${name}>`);
      this.pos++;
    } else if (close !== Token.CloseEmptyElement) {
      throw this.unexpected(close, `start of element <${name}>`, this.pos - 1);
    }
    const elementsOnly = children.length > 0 && children.every((c) => c.kind === 2);
    // The caches added on first use are there from the start: every element has one hidden class,
    // so reading a node's kind stays cheap (no new class met after optimization, which deoptimizes).
    return { kind: 2, name, attrs, children, elementsOnly, layout: undefined, plan: undefined };
  }

  /**
   * Element content (or an attribute's value when `attribute`): stops at the first token that
   * cannot be content, which the caller then checks.
   */
  private content(out: BxNode[], level: number, attribute: boolean): void {
    const b = this.b;
    while (this.pos < this.end) {
      const token = b[this.pos];
      switch (token & ~Token.MoreFlag) {
        case Token.Value:
          out.push({ kind: 0, text: this.inlineValue() });
          break;
        case Token.NormalSubstitution:
        case Token.OptionalSubstitution: {
          this.skip(4);
          const index = b.readUInt16LE(this.pos - 3);
          const type = b[this.pos - 1];
          // An optional substitution declared as null type is dropped: it never has a value.
          if (!(token === Token.OptionalSubstitution && type === ValueType.Null)) out.push({ kind: 1, index });
          break;
        }
        case Token.CharRef: {
          this.skip(3);
          out.push({ kind: 0, text: String.fromCharCode(b.readUInt16LE(this.pos - 2)) });
          break;
        }
        case Token.EntityRef: {
          this.pos++;
          const name = this.name();
          out.push({ kind: 0, text: ENTITIES.get(name) ?? `&${name};` });
          break;
        }
        case Token.CData:
          if (attribute) return;
          this.pos++;
          out.push({ kind: 0, text: this.lengthPrefixedString() });
          break;
        case Token.OpenStartElement:
          if (attribute) return;
          out.push(this.element(level + 1));
          break;
        case Token.TemplateInstance:
          if (attribute) return;
          out.push(this.templateInstance());
          break;
        case Token.PITarget:
        case Token.PIData:
          if (attribute) return;
          this.processingInstruction();
          break;
        default:
          return;
      }
    }
  }

  /** A Value token inside the XML: a type byte and the value (in practice always a UTF-16 string). */
  private inlineValue(): string {
    this.skip(2);
    const type = this.b[this.pos - 1];
    if (type === ValueType.String) return this.lengthPrefixedString();
    const size = FIXED_INLINE[type];
    if (size === undefined) throw new EvtxError(`value token of unsupported type 0x${type.toString(16)}`, this.pos - 2);
    this.skip(size);
    return String(decodeValue(this.b, type, this.pos - size, size));
  }

  /** u16 character count, then UTF-16LE characters. */
  private lengthPrefixedString(): string {
    this.skip(2);
    const bytes = this.b.readUInt16LE(this.pos - 2) * 2;
    this.skip(bytes);
    return utf16z(this.b, this.pos - bytes, this.pos);
  }

  private processingInstruction(): void {
    const token = this.b[this.pos++];
    // Processing instructions carry no event data; evtx_dump drops them too. Parse to skip them.
    if ((token & ~Token.MoreFlag) === Token.PITarget) this.name();
    else this.lengthPrefixedString();
  }

  /**
   * A name reference: a u32 chunk offset. When the offset is the current position the name is
   * stored right here (next-offset u32, hash u16, count u16, UTF-16, NUL) and is skipped over.
   */
  private name(): string {
    this.skip(4);
    const offset = this.b.readUInt32LE(this.pos - 4);
    const name = this.cache.name(offset);
    this.refs?.names.push(this.pos - 4, offset);
    if (offset === this.pos) this.pos += 8 + name.length * 2 + 2;
    if (this.pos > this.end) throw new EvtxError(`name at ${offset} runs past the end of its data`, offset);
    return name;
  }

  /**
   * Template instance: token, 1 unknown byte, template id (u32), definition offset (u32); the
   * definition itself when it is stored here (first use in the chunk); then the substitution
   * count (u32), that many descriptors (size u16, type u8, 1 unused byte) and the values.
   */
  private templateInstance(): InstanceNode {
    if (this.refs !== undefined) this.refs.instance = true;
    this.skip(10);
    const definition = this.b.readUInt32LE(this.pos - 4);
    const template = templateAt(this.cache, definition);
    if (definition === this.pos) this.pos = definition + 24 + this.b.readUInt32LE(definition + 20);
    need(this.pos, 4, this.end, 'substitution count');
    const count = this.b.readUInt32LE(this.pos);
    this.pos += 4;
    if (count * 4 > this.end - this.pos) throw new EvtxError(`${count} substitutions do not fit the record`, this.pos - 4);
    const types: number[] = new Array(count);
    const offsets: number[] = new Array(count);
    const sizes: number[] = new Array(count);
    const b = this.b;
    let at = this.pos + count * 4;
    for (let i = 0, d = this.pos; i < count; i++, d += 4) {
      const size = b[d] | (b[d + 1] << 8);
      sizes[i] = size;
      types[i] = b[d + 2];
      offsets[i] = at;
      at += size;
    }
    if (at > this.end) throw new EvtxError(`substitution values run past the end of the record (${at} > ${this.end})`, this.pos);
    this.pos = at;
    return { kind: 3, template, values: { cache: this.cache, types, offsets, sizes, depth: this.depth } };
  }

  private skip(bytes: number): void {
    need(this.pos, bytes, this.end, 'token');
    this.pos += bytes;
  }

  private unexpected(token: number, where: string, at = this.pos): EvtxError {
    return new EvtxError(`unexpected token 0x${token.toString(16).padStart(2, '0')} in ${where}`, at);
  }
}

/** Byte size of the fixed-size types a Value token may carry. */
const FIXED_INLINE: Record<number, number> = {
  [ValueType.Int8]: 1, [ValueType.UInt8]: 1, [ValueType.Int16]: 2, [ValueType.UInt16]: 2,
  [ValueType.Int32]: 4, [ValueType.UInt32]: 4, [ValueType.Int64]: 8, [ValueType.UInt64]: 8,
  [ValueType.Real32]: 4, [ValueType.Real64]: 8, [ValueType.Bool]: 4, [ValueType.Guid]: 16,
  [ValueType.FileTime]: 8, [ValueType.SysTime]: 16, [ValueType.HexInt32]: 4, [ValueType.HexInt64]: 8,
};

/**
 * The template whose definition is at chunk offset `offset`: next-template offset (u32), GUID
 * (16 bytes), data size (u32), then a fragment (fragment header, one element, end of fragment).
 */
export function templateAt(cache: ChunkCache, offset: number): Template {
  return cache.template(offset, () => {
    const b = cache.chunk;
    if (offset < 512 || offset + 24 >= b.length) throw new EvtxError(`template offset ${offset} is outside the chunk's records`, offset);
    const start = offset + 24;
    if (b[start] !== Token.FragmentHeader) throw new EvtxError(`no template definition at offset ${offset}`, offset);
    const size = b.readUInt32LE(offset + 20);
    if (size < 4 || start + size > b.length) throw new EvtxError(`template at ${offset} has data size ${size} past the chunk`, offset);
    const seen = sharedTemplate(cache, offset);
    if (seen !== undefined) return seen;
    const refs: DefinitionRefs = { names: [], instance: false };
    const template: Template = { nodes: new FragmentParser(cache, start, start + size, true, 0, refs).fragment(), plain: undefined };
    shareTemplate(cache, offset, template, refs);
    return template;
  });
}

/** A substitution value of type BinXml: an embedded fragment, parsed per record (values differ). */
export function parseEmbedded(cache: ChunkCache, start: number, size: number, depth: number): BxNode[] {
  return new FragmentParser(cache, start, start + size, false, depth + 1).fragment();
}
