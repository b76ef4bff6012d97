/**
 * A record's nodes → the JSON shape evtx_dump (the Rust `evtx` crate) prints for it, so that the
 * evtx-json reader's flattening (`toEvent`) turns it into exactly the event it would make from
 * evtx_dump's output. The rules, as evtx_dump applies them:
 * - an element with neither text, child elements nor non-empty attributes is `null`;
 * - an element with only text is its value: a number/boolean when it is one integer or bool
 *   value, else the text (values concatenated);
 * - otherwise an object: non-empty attributes under `#attributes`, text under `#text`, child
 *   elements by name, repeated names suffixed `_1`, `_2`, …;
 * - inside EventData/UserData, `Data` elements with a `Name` attribute become `Name: value`
 *   (empty data is `""`); anonymous `Data` elements become `Data: {"#text": value or [values]}`.
 * Deviation: character and entity references are resolved (evtx_dump prints them as `&#N;` /
 * `&name;`), as any XML reader of the same event would.
 */
import { type FieldValue, setField } from '../../events/event.js';
import type { JsonObject } from '../json-util.js';
import { EvtxError } from './errors.js';
import { parseEmbedded } from './binxml.js';
import type { AttributeNode, BxNode, ElementNode, Substitutions } from './tokens.js';
import { decodeValue, ValueType } from './values.js';

/** An element together with the substitution values its template holes are filled from. */
class Bound {
  constructor(
    readonly element: ElementNode,
    readonly values: Substitutions | undefined,
  ) {}
}

type Item = Bound | string | number | boolean;

/**
 * Nodes one record may expand to. Templates are parsed once, but a template may instantiate
 * others many times over (a "billion laughs"): rendering is bounded, not just parsing.
 */
export const MAX_RECORD_NODES = 100_000;
let budget = 0;

function spend(nodes: number): void {
  budget -= nodes;
  if (budget < 0) throw new EvtxError(`record expands to more than ${MAX_RECORD_NODES} nodes`);
}

/** The record's root element (normally `Event`) as `{ name, value }`, value in evtx_dump's JSON shape. */
export function renderRecord(nodes: BxNode[]): { name: string; value: FieldValue } {
  budget = MAX_RECORD_NODES;
  const items: Item[] = [];
  collect(nodes, undefined, items);
  for (const item of items) {
    if (item instanceof Bound) return { name: item.element.name, value: elementValue(item.element, item.values, false) };
  }
  throw new EvtxError('record has no root element');
}

/** Resolve nodes into items: elements (with their values) and non-empty scalar values. */
function collect(nodes: BxNode[], values: Substitutions | undefined, out: Item[]): void {
  spend(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    switch (node.kind) {
      case 0:
        if (node.text !== '') out.push(node.text);
        break;
      case 1:
        substitute(node.index, values, out);
        break;
      case 2:
        out.push(new Bound(node, values));
        break;
      case 3:
        collect(node.template.nodes, node.values, out);
        break;
    }
  }
}

function substitute(index: number, values: Substitutions | undefined, out: Item[]): void {
  if (values === undefined) throw new EvtxError(`substitution ${index} outside a template instance`);
  // A template may name more holes than the instance fills (optional data): those stay empty.
  if (index >= values.types.length) return;
  const type = values.types[index];
  const at = values.offsets[index];
  const size = values.sizes[index];
  if (type === ValueType.BinXml) {
    if (size > 0) collect(parseEmbedded(values.cache, at, size, values.depth), undefined, out);
    return;
  }
  const value = decodeValue(values.cache.chunk, type, at, size);
  if (value !== null && value !== '') out.push(value);
}

/**
 * The value of substitution `index` when it is a scalar (null when empty), or `undefined` when it
 * is embedded Binary XML: lets the common one-value element skip the general path.
 */
function scalarSubstitution(index: number, values: Substitutions | undefined): FieldValue | undefined {
  if (values === undefined) throw new EvtxError(`substitution ${index} outside a template instance`);
  if (index >= values.types.length) return null;
  const type = values.types[index];
  if (type === ValueType.BinXml) return undefined;
  const value = decodeValue(values.cache.chunk, type, values.offsets[index], values.sizes[index]);
  return value === '' ? null : value;
}

function elementValue(element: ElementNode, values: Substitutions | undefined, container: boolean): FieldValue {
  const { children, attrs } = element;
  if (attrs.length === 0 && children.length <= 1) {
    // Fast path: an element with no attributes and at most one text or value.
    if (children.length === 0) return null;
    const only = children[0];
    if (only.kind === 0) return only.text === '' ? null : only.text;
    if (only.kind === 1) {
      const value = scalarSubstitution(only.index, values);
      if (value !== undefined) return value;
    }
  }
  const attributes = attributeObject(attrs, values);
  // Fast path: only child elements (Event, System, EventData): no items to resolve.
  if (element.elementsOnly) return elementsBody(element, values, attributes, container);
  const items: Item[] = [];
  collect(children, values, items);
  let hasElement = false;
  let hasText = false;
  for (const item of items) {
    if (item instanceof Bound) hasElement = true;
    else hasText = true;
  }
  if (!hasElement && attributes === undefined) return hasText ? textValue(items) : null;
  return body(items, attributes, hasText, container);
}

/** The value of a `Data` element inside EventData/UserData (its attributes are not part of it). */
function dataValue(element: ElementNode, values: Substitutions | undefined): FieldValue {
  const children = element.children;
  if (children.length <= 1) {
    // Fast path: `<Data Name="…">%n</Data>`, the shape of nearly every event field.
    if (children.length === 0) return '';
    const only = children[0];
    if (only.kind === 0) return only.text;
    if (only.kind === 1) {
      const value = scalarSubstitution(only.index, values);
      if (value !== undefined) return value ?? '';
    }
  }
  const items: Item[] = [];
  collect(children, values, items);
  let hasElement = false;
  for (const item of items) if (item instanceof Bound) hasElement = true;
  if (items.length === 0) return '';
  return hasElement ? body(items, undefined, items.some((i) => !(i instanceof Bound)), false) : textValue(items);
}

/** An object for resolved items: attributes, `#text`, then the child elements. */
function body(items: Item[], attributes: JsonObject | undefined, hasText: boolean, container: boolean): JsonObject {
  const out: JsonObject = {};
  if (attributes !== undefined) out['#attributes'] = attributes;
  if (hasText) out['#text'] = textValue(items);
  const elements: ElementNode[] = [];
  const values: (Substitutions | undefined)[] = [];
  for (const item of items) {
    if (item instanceof Bound) {
      elements.push(item.element);
      values.push(item.values);
    }
  }
  const { keys } = layoutOf(elements, (i) => values[i], container);
  return fill(out, elements, (i) => values[i], keys, container);
}

/**
 * Body of an element whose children are all elements (Event, System, EventData). When its keys
 * cannot vary between records, the object starts as a copy of a per-template skeleton holding
 * those keys: V8 then keeps it in fast mode (a fresh object gaining 20+ keys goes to dictionary
 * mode), which makes building it and the flattening that reads it cheaper.
 */
function elementsBody(element: ElementNode, values: Substitutions | undefined, attributes: JsonObject | undefined, container: boolean): JsonObject {
  const children = element.children as ElementNode[];
  const valuesOf = () => values;
  if (attributes === undefined) {
    let cached = element.layout;
    if (cached === undefined) {
      // First use: remember the keys; the skeleton is built on the second (many templates serve one record).
      const computed = layoutOf(children, valuesOf, container);
      element.layout = computed.fixed ? { keys: computed.keys, skeleton: undefined } : null;
      return fill({}, children, valuesOf, computed.keys, container);
    }
    if (cached !== null) {
      cached.skeleton ??= skeleton(cached.keys);
      return fill({ ...cached.skeleton }, children, valuesOf, cached.keys, container);
    }
  }
  const out: JsonObject = {};
  if (attributes !== undefined) out['#attributes'] = attributes;
  return fill(out, children, valuesOf, layoutOf(children, valuesOf, container).keys, container);
}

/** An object with `keys` (anonymous Data gathered under `Data`) in order, built by JSON.parse: fast mode. */
function skeleton(keys: (string | null | undefined)[]): JsonObject {
  const shape: JsonObject = {};
  for (const key of keys) if (key !== undefined) shape[key ?? 'Data'] = null;
  return JSON.parse(JSON.stringify(shape)) as JsonObject;
}

/**
 * The key each child element gets, as evtx_dump names them: element name, `_1`, `_2`, … for
 * repeats; inside EventData/UserData, `Data` items by their Name when any has one (unnamed ones
 * then dropped: `undefined`), else all gathered as anonymous (`null`). `fixed`: no key depends
 * on substitution values, so the layout holds for every record of the template.
 */
function layoutOf(
  elements: ElementNode[],
  valuesOf: (i: number) => Substitutions | undefined,
  container: boolean,
): { keys: (string | null | undefined)[]; fixed: boolean } {
  let fixed = true;
  let named = false;
  if (container) {
    for (let i = 0; i < elements.length; i++) {
      if (elements[i].name === 'Data' && dataName(elements[i], valuesOf(i)) !== undefined) {
        named = true;
        break;
      }
    }
  }
  const keys: (string | null | undefined)[] = new Array(elements.length);
  const counts = new Map<string, number>();
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i];
    const name = element.name;
    if (container && name === 'Data') {
      const nameAttr = element.attrs.find((a) => a.name === 'Name');
      if (nameAttr !== undefined && nameAttr.text === undefined) fixed = false;
      keys[i] = named ? dataName(element, valuesOf(i)) : null;
      continue;
    }
    const seen = counts.get(name) ?? 0;
    counts.set(name, seen + 1);
    keys[i] = seen === 0 ? name : `${name}_${seen}`;
  }
  return { keys, fixed };
}

function fill(
  out: JsonObject,
  elements: ElementNode[],
  valuesOf: (i: number) => Substitutions | undefined,
  keys: (string | null | undefined)[],
  container: boolean,
): JsonObject {
  spend(elements.length);
  let anonymous: FieldValue[] | undefined;
  for (let i = 0; i < elements.length; i++) {
    const key = keys[i];
    if (key === undefined) continue;
    const element = elements[i];
    if (key === null) (anonymous ??= []).push(dataValue(element, valuesOf(i)));
    else if (container && element.name === 'Data') setField(out, key, dataValue(element, valuesOf(i)));
    else setField(out, key, elementValue(element, valuesOf(i), element.name === 'EventData' || element.name === 'UserData'));
  }
  if (anonymous !== undefined) out.Data = { '#text': anonymous.length === 1 ? anonymous[0] : anonymous };
  return out;
}

/** The text of a `Data` element's `Name` attribute, if it has a non-empty one. */
function dataName(element: ElementNode, values: Substitutions | undefined): string | undefined {
  for (const attr of element.attrs) {
    if (attr.name !== 'Name') continue;
    if (attr.text !== undefined) return attr.text === '' ? undefined : attr.text;
    const items: Item[] = [];
    collect(attr.value, values, items);
    return items.length === 0 ? undefined : String(textValue(items));
  }
  return undefined;
}

function attributeObject(attrs: AttributeNode[], values: Substitutions | undefined): JsonObject | undefined {
  let out: JsonObject | undefined;
  for (const attr of attrs) {
    if (attr.text !== undefined) {
      if (attr.text !== '') (out ??= {})[attr.name] = attr.text;
      continue;
    }
    const only = attr.value.length === 1 ? attr.value[0] : undefined;
    if (only?.kind === 1) {
      // Fast path: the attribute is one substitution (Provider Name, TimeCreated SystemTime, ...).
      const value = scalarSubstitution(only.index, values);
      if (value !== undefined) {
        if (value !== null) (out ??= {})[attr.name] = value;
        continue;
      }
    }
    const items: Item[] = [];
    collect(attr.value, values, items);
    if (items.length === 0) continue;
    (out ??= {})[attr.name] = textValue(items);
  }
  return out;
}

/** One integer/bool value stays typed; anything else is the concatenated text (elements skipped). */
function textValue(items: Item[]): FieldValue {
  if (items.length === 1) {
    const only = items[0];
    if (!(only instanceof Bound)) return only;
  }
  let text = '';
  for (const item of items) if (!(item instanceof Bound)) text += String(item);
  return text;
}
