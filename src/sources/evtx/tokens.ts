import type { FieldValue } from '../../events/event.js';
import type { Plan } from './flatten.js';
import type { ChunkCache } from './templates.js';

/** Binary XML token bytes. The 0x40 bit on a token means "has attributes" / "more data follows". */
export const Token = {
  EndOfFragment: 0x00,
  OpenStartElement: 0x01,
  CloseStartElement: 0x02,
  CloseEmptyElement: 0x03,
  EndElement: 0x04,
  Value: 0x05,
  Attribute: 0x06,
  CData: 0x07,
  CharRef: 0x08,
  EntityRef: 0x09,
  PITarget: 0x0a,
  PIData: 0x0b,
  TemplateInstance: 0x0c,
  NormalSubstitution: 0x0d,
  OptionalSubstitution: 0x0e,
  FragmentHeader: 0x0f,
  MoreFlag: 0x40,
} as const;

/** Parsed Binary XML, shared by template bodies and record fragments. */
export type BxNode = TextNode | SubstitutionNode | ElementNode | InstanceNode;

/** Literal text (Value token, CDATA, resolved character or entity reference). */
export interface TextNode {
  kind: 0;
  text: string;
}

/** A hole in a template, filled per record from the instance's substitution values. */
export interface SubstitutionNode {
  kind: 1;
  index: number;
}

export interface ElementNode {
  kind: 2;
  name: string;
  attrs: AttributeNode[];
  children: BxNode[];
  /** All children are elements (no text, no substitution): known at parse time, rendered without resolving. */
  elementsOnly: boolean;
  /** Render cache (kept with the template): the children's keys and a skeleton object; null = keys vary. */
  layout?: { keys: (string | null | undefined)[]; skeleton: { [key: string]: FieldValue } | undefined } | null;
  /** Its direct flattening plan (`flatten.ts`, kept with the template), made on first use. */
  plan?: Plan;
}

export interface AttributeNode {
  name: string;
  /** Text and substitution nodes only. */
  value: BxNode[];
  /** The value when it is literal text only (no substitution), known at parse time. */
  text: string | undefined;
}

/** A template instance: the (cached) template plus where this record's values are in the chunk. */
export interface InstanceNode {
  kind: 3;
  template: Template;
  values: Substitutions;
}

/** A parsed template definition: per chunk, or shared by chunks holding the same definition (`shared-templates.ts`). */
export interface Template {
  nodes: BxNode[];
  /** Whether it is one root element the direct flattener (`flatten.ts`) can take; known on first use. */
  plain?: boolean;
}

export interface Substitutions {
  cache: ChunkCache;
  /** Per value: type, chunk offset, size (plain arrays: cheaper than typed arrays for a few dozen items). */
  types: number[];
  offsets: number[];
  sizes: number[];
  /** Nesting depth of the fragment these values belong to (bounds BinXml-in-BinXml recursion). */
  depth: number;
}
