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

/** How an element is flattened when it is System or EventData, and whether it holds no value at all. */
export interface Plan {
  /** Its fields as System; null: not a plain System. */
  system: SystemField[] | null;
  /** Its fields as EventData; null: not a plain EventData. */
  data: DataField[] | null;
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
/** Attribute values decoded before the element's text (render's order), written after it (toEvent's). */
const pending: FieldValue[] = [];

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
  let system: SystemField[] | undefined;
  let systemValues: Substitutions | undefined;
  let data: DataField[] | undefined;
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
  const record = systemFields(system, systemValues, fields);
  if (record === undefined) return undefined;
  if (data !== undefined && dataValues !== undefined && !dataFields(data, dataValues, fields)) return undefined;
  return record;
}

/** System's fields; returns its EventRecordID value (undefined: general path). */
function systemFields(system: SystemField[], values: Substitutions, fields: Fields): FieldValue | undefined {
  let record: FieldValue = null;
  for (const field of system) {
    const { attrs } = field;
    let attributed = false;
    for (let i = 0; i < attrs.length; i++) {
      const from = attrs[i].value;
      const value = typeof from === 'string' ? from : substitution(from, values);
      if (value === undefined) return undefined;
      pending[i] = value;
      if (value !== null) attributed = true;
    }
    const from = field.text;
    const text = from === undefined ? null : typeof from === 'string' ? from : substitution(from, values);
    if (text === undefined) return undefined;
    if (text !== null) fields[field.key] = text;
    for (let i = 0; i < attrs.length; i++) if (pending[i] !== null) fields[attrs[i].key] = pending[i];
    // evtx_dump's System.EventRecordID is a number only when the element is its value alone.
    if (field.key === 'EventRecordID' && !attributed) record = text;
  }
  return record;
}

/** EventData's fields; false: general path. */
function dataFields(data: DataField[], values: Substitutions, fields: Fields): boolean {
  let named: FieldValue | undefined;
  let anonymous: FieldValue[] | undefined;
  for (const field of data) {
    const from = field.value;
    let value = from === undefined || typeof from === 'string' ? (from ?? null) : substitution(from, values);
    if (value === undefined) return false;
    if (field.data) value ??= '';
    if (field.key === null) (anonymous ??= []).push(value);
    else if (field.key === 'Data') named = value;
    else fields[field.key] = value;
  }
  // toEvent puts `Data` last: anonymous items as one value or a list, or a Data named "Data".
  if (anonymous !== undefined) fields.Data = anonymous.length === 1 ? anonymous[0] : anonymous;
  else if (named !== undefined) fields.Data = named;
  return true;
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
  return {
    system: element.name === 'System' ? systemPlan(element) : null,
    data: element.name === 'EventData' ? eventDataPlan(element) : null,
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
