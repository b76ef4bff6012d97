/**
 * A record's nodes → its normalized event. Nearly every record is one template instance whose
 * template has a plain shape (System children holding one value and value attributes, EventData
 * of `Data` elements holding one value, EventData possibly an embedded Binary XML value as in
 * Sysmon): for each such element a flattening plan is made once per chunk, and each record's
 * fields are written straight from its substitution values, without the intermediate
 * evtx_dump-shaped objects. Anything else (UserData, Binary XML values elsewhere, nested elements,
 * mixed content, ...) takes the general path: `render.ts` builds the evtx_dump shape and
 * evtx-json's `toEvent` flattens it. The plan reproduces exactly what that path gives
 * (same fields in the same order, same values decoded in the same order, so a damaged value is
 * reported the same way); `test/sources/evtx/flatten.test.ts` checks it on every corpus record.
 */
import type { FieldValue, Fields, NormalizedEvent } from '../../events/event.js';
import { isObject } from '../json-util.js';
import { fieldsEvent, toEvent } from '../evtx-json.js';
import { renderRecord } from './render.js';
import { parseEmbedded } from './binxml.js';
import type { BxNode, ElementNode, SubstitutionNode, Substitutions, Template } from './tokens.js';
import { decodeValue, ValueType } from './values.js';

const FORMAT = 'evtx';

/** Where a value comes from: literal text, or the index of a substitution value. */
type From = string | number;

interface SystemField {
  key: string;
  /** The element's text; undefined: none. */
  text: From | undefined;
  /** `<key>_<attribute>` and the value; empty literal attributes are left out. */
  attrs: { key: string; value: From }[];
}

interface DataField {
  /** Field name; null: an anonymous `Data` (gathered under `Data`). */
  key: string | null;
  /** A `Data` element's value is `""` when empty; another element's is null. */
  data: boolean;
  value: From | undefined;
}

/** Writes System's fields; returns its EventRecordID value (null: none), undefined for the general path. */
type SystemWriter = (values: Substitutions, fields: Fields, decode: typeof substitution) => FieldValue | undefined;
/** Writes EventData's fields; false for the general path. */
type DataWriter = (values: Substitutions, fields: Fields, decode: typeof substitution) => boolean;

/** How an element is flattened when it is System or EventData, and whether it holds no value at all. */
export interface Plan {
  /** Its fields as System; null: not a plain System. */
  system: SystemWriter | null;
  /** Its fields as EventData; null: not a plain EventData. */
  data: DataWriter | null;
  /** No substitution or template instance inside (toEvent ignores it, render decodes nothing in it). */
  literal: boolean;
}

export interface RecordSource {
  file: string;
  /** File offset of the record. */
  offset: number;
  /** The record header's number. */
  id: number;
}

/** The event for a record's top-level nodes, or why the record makes none. */
export function recordEvent(nodes: BxNode[], source: RecordSource): NormalizedEvent | string {
  return directEvent(nodes, source) ?? rendered(nodes, source);
}

/** The event by the plans, or undefined when the record needs the general path. */
export function directEvent(nodes: BxNode[], source: RecordSource): NormalizedEvent | undefined {
  const only = nodes.length === 1 ? nodes[0] : undefined;
  if (only?.kind !== 3) return undefined;
  const template = only.template;
  template.plain ??= plainRoot(template);
  if (!template.plain) return undefined;
  const fields: Fields = {};
  const record = planned(template.nodes[0] as ElementNode, only.values, fields);
  if (record === undefined) return undefined;
  // The event is made here, not in `planned`: its shape varies with the log source, and a shape
  // first met after optimization deoptimizes the function that makes it, better this small one.
  return fieldsEvent(fields, { file: source.file, format: FORMAT, record: typeof record === 'number' ? record : source.id, offset: source.offset });
}

/** The general path: evtx_dump's JSON shape, flattened by the evtx-json reader. */
export function rendered(nodes: BxNode[], source: RecordSource): NormalizedEvent | string {
  const { name, value } = renderRecord(nodes);
  if (!isObject(value) || !isObject(value.System)) return `record's root element <${name}> has no System element`;
  // Provenance names the record by the EventRecordID the event itself carries (what tools show);
  // the record header's number only when the event lacks one.
  const eventRecordId = value.System.EventRecordID;
  const record = typeof eventRecordId === 'number' ? eventRecordId : source.id;
  return toEvent(value, { file: source.file, format: FORMAT, record, offset: source.offset });
}

/** The root's child elements and their values, reused from record to record. */
const elements: ElementNode[] = [];
const elementValues: (Substitutions | undefined)[] = [];

/**
 * Write the fields of the root's elements by their plans; returns the EventRecordID value (null:
 * none), or undefined when the record needs the general path. Values are decoded in render's
 * order: the root's own substitutions (Sysmon's EventData is one, embedded Binary XML), then each
 * element's, attributes before text.
 */
function planned(root: ElementNode, values: Substitutions, fields: Fields): FieldValue | undefined {
  let count = 0;
  for (const child of root.children) {
    if (child.kind === 2) {
      elements[count] = child;
      elementValues[count++] = values;
      continue;
    }
    const index = (child as SubstitutionNode).index;
    if (index >= values.types.length) continue;
    const type = values.types[index];
    const at = values.offsets[index];
    const size = values.sizes[index];
    if (type !== ValueType.BinXml) {
      decodeValue(values.cache.chunk, type, at, size); // root text: toEvent ignores it, but a bad value fails the record
      continue;
    }
    if (size === 0) continue;
    for (const node of parseEmbedded(values.cache, at, size, values.depth)) {
      if (node.kind !== 3) return undefined;
      for (const element of node.template.nodes) {
        if (element.kind !== 2) return undefined;
        elements[count] = element;
        elementValues[count++] = node.values;
      }
    }
  }
  let system: SystemWriter | undefined;
  let systemValues: Substitutions | undefined;
  let data: DataWriter | undefined;
  let dataValues: Substitutions | undefined;
  for (let i = 0; i < count; i++) {
    const element = elements[i];
    // Every property read up front, whatever the branch: a read first met in a branch rarely taken
    // (an element other than System and EventData) would deoptimize this function.
    const { name } = element;
    const { system: asSystem, data: asData, literal } = (element.plan ??= planOf(element));
    // toEvent reads the first System and EventData; render decodes the others too, so they must hold no values.
    if (name === 'System' && system === undefined) {
      // (EventData before System: render would decode its values first.)
      if (asSystem === null || data !== undefined) return undefined;
      system = asSystem;
      systemValues = elementValues[i];
    } else if (name === 'EventData' && data === undefined) {
      if (asData === null) return undefined;
      data = asData;
      dataValues = elementValues[i];
    } else if (!literal || name === 'UserData') {
      return undefined;
    }
  }
  if (system === undefined || systemValues === undefined) return undefined;
  const record = system(systemValues, fields, substitution);
  if (record === undefined) return undefined;
  if (data !== undefined && dataValues !== undefined && !data(dataValues, fields, substitution)) return undefined;
  return record;
}

/**
 * A plan becomes a function that writes its fields with a store per field under a literal name.
 * Stores under a computed name (`fields[key] = value`) turn an object of more than 16 fields
 * into a hash table (V8 leaves a keyed store's object fast only up to that), as 79% of a Sysmon
 * collection's events were: slower to make, to read, to enumerate and to print
 * (docs/performance.md#evtx-fields-written-by-name). Names come from the file, so each is
 * written as a JSON string literal; a plan is compiled once per text (templates of many files
 * share one), up to COMPILED_KEPT texts (a file of ever new templates must not grow the heap).
 */
const compiled = new Map<string, SystemWriter | DataWriter>();
const COMPILED_KEPT = 2048;

function compile<T extends SystemWriter | DataWriter>(body: string): T {
  let writer = compiled.get(body);
  if (writer !== undefined) return writer as T;
  writer = new Function('values', 'fields', 'decode', body) as T;
  if (compiled.size < COMPILED_KEPT) compiled.set(body, writer);
  return writer as T;
}

/** A value's expression: literal text, or substitution number `from` (undefined: an element with nothing in it). */
function valueCode(from: From | undefined): string {
  return from === undefined ? 'null' : typeof from === 'string' ? JSON.stringify(from) : `decode(${from}, values)`;
}

/**
 * System's writer, in render's order (attributes before text) and toEvent's (text before
 * attributes): its EventRecordID value, a number only when the element is its value alone.
 */
function systemWriter(system: SystemField[]): SystemWriter {
  const lines = ['let record = null;'];
  system.forEach((field, f) => {
    const attrs = field.attrs.map((attr, a) => {
      lines.push(`const a${f}_${a} = ${valueCode(attr.value)};`, `if (a${f}_${a} === undefined) return undefined;`);
      return `a${f}_${a}`;
    });
    lines.push(`const t${f} = ${valueCode(field.text)};`, `if (t${f} === undefined) return undefined;`);
    lines.push(`if (t${f} !== null) fields[${JSON.stringify(field.key)}] = t${f};`);
    field.attrs.forEach((attr, a) => lines.push(`if (${attrs[a]} !== null) fields[${JSON.stringify(attr.key)}] = ${attrs[a]};`));
    if (field.key === 'EventRecordID') lines.push(`if (${attrs.map((a) => `${a} === null`).join(' && ') || 'true'}) record = t${f};`);
  });
  lines.push('return record;');
  return compile(lines.join('\n'));
}

/** EventData's writer: named fields as they come; anonymous `Data` items as one value or a list, or a Data named "Data", last. */
function dataWriter(data: DataField[]): DataWriter {
  const lines = ['let value, named, anonymous;'];
  for (const field of data) {
    lines.push(`value = ${valueCode(field.value)};`, 'if (value === undefined) return false;');
    if (field.data) lines.push("if (value === null) value = '';");
    if (field.key === null) lines.push('(anonymous ??= []).push(value);');
    else if (field.key === 'Data') lines.push('named = value;');
    else lines.push(`fields[${JSON.stringify(field.key)}] = value;`);
  }
  lines.push('if (anonymous !== undefined) fields.Data = anonymous.length === 1 ? anonymous[0] : anonymous;', 'else if (named !== undefined) fields.Data = named;', 'return true;');
  return compile(lines.join('\n'));
}

/** A substitution value as render's one-value fast path gives it: '' → null, undefined = Binary XML. */
function substitution(index: number, values: Substitutions): FieldValue | undefined {
  if (index >= values.types.length) return null;
  const type = values.types[index];
  if (type === ValueType.BinXml) return undefined;
  const value = decodeValue(values.cache.chunk, type, values.offsets[index], values.sizes[index]);
  return value === '' ? null : value;
}

/** Whether the template is one root element whose children are elements or substitutions, attributes literal. */
function plainRoot(template: Template): boolean {
  const [root] = template.nodes;
  return template.nodes.length === 1 && root.kind === 2 && root.attrs.every(literalAttr) && root.children.every((c) => c.kind === 1 || c.kind === 2);
}

function planOf(element: ElementNode): Plan {
  const system = element.name === 'System' ? systemPlan(element) : null;
  const data = element.name === 'EventData' ? eventDataPlan(element) : null;
  return {
    system: system && systemWriter(system),
    data: data && dataWriter(data),
    literal: literal(element),
  };
}

function systemPlan(system: ElementNode): SystemField[] | null {
  if (!system.elementsOnly || !system.attrs.every(literalAttr)) return null;
  const fields: SystemField[] = [];
  const counts = new Map<string, number>();
  for (const child of system.children as ElementNode[]) {
    const seen = counts.get(child.name) ?? 0;
    counts.set(child.name, seen + 1);
    const key = seen === 0 ? child.name : `${child.name}_${seen}`;
    const text = oneValue(child);
    if (text === null || key === '__proto__') return null;
    const attrs: SystemField['attrs'] = [];
    for (const attr of child.attrs) {
      const only = attr.value.length === 1 ? attr.value[0] : undefined;
      if (attr.text === undefined && only?.kind !== 1) return null;
      if (attr.text !== '') attrs.push({ key: `${key}_${attr.name}`, value: attr.text ?? (only as { index: number }).index });
    }
    fields.push({ key, text: text === '' ? undefined : text, attrs });
  }
  return fields;
}

function eventDataPlan(eventData: ElementNode): DataField[] | null {
  if (!(eventData.elementsOnly || eventData.children.length === 0) || !eventData.attrs.every(literalAttr)) return null;
  const children = eventData.children as ElementNode[];
  let named = false;
  for (const child of children) {
    if (child.name !== 'Data') continue;
    const name = child.attrs.find((a) => a.name === 'Name');
    if (name !== undefined && name.text === undefined) return null; // a Name from a value: keys vary
    if (name?.text) named = true;
  }
  const fields: DataField[] = [];
  const counts = new Map<string, number>();
  for (const child of children) {
    const value = oneValue(child);
    if (value === null) return null;
    if (child.name === 'Data') {
      const name = child.attrs.find((a) => a.name === 'Name')?.text || undefined;
      // With any named Data, anonymous ones are dropped (as evtx_dump does); else all gathered.
      if (named && name === undefined) continue;
      if (name === '#attributes' || name === '__proto__') return null;
      fields.push({ key: named ? (name as string) : null, data: true, value: value ?? '' });
      continue;
    }
    if (child.attrs.length > 0) return null;
    const seen = counts.get(child.name) ?? 0;
    counts.set(child.name, seen + 1);
    fields.push({ key: seen === 0 ? child.name : `${child.name}_${seen}`, data: false, value: value === '' ? undefined : value });
  }
  return fields;
}

/** The element's content when it is at most one text or substitution: text, index, undefined (empty); null otherwise. */
function oneValue(element: ElementNode): From | undefined | null {
  const { children } = element;
  if (children.length === 0) return undefined;
  if (children.length > 1) return null;
  const only = children[0];
  return only.kind === 0 ? only.text : only.kind === 1 ? only.index : null;
}

const literalAttr = (attr: ElementNode['attrs'][number]): boolean => attr.text !== undefined;

/** No substitution or template instance anywhere inside. */
function literal(node: BxNode): boolean {
  if (node.kind === 1 || node.kind === 3) return false;
  if (node.kind === 0) return true;
  return node.attrs.every(literalAttr) && node.children.every(literal);
}
