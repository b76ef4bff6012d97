/**
 * The `detection` section as a tree: maps AND their items, lists OR their elements, a field
 * item ORs its values (ANDs them with `|all`), and plain scalars or lists are keywords.
 */
import type { CondNode } from './condition.js';
import { RuleError, type YamlPath } from './errors.js';
import { ModifierError, applyModifiers, type ValueTest } from './modifiers.js';

export type DetNode =
  | { op: 'and' | 'or'; children: DetNode[] }
  | { op: 'not'; child: DetNode }
  /** OR over `tests` on one field; `field: null` is a keyword search. */
  | { op: 'item'; field: string | null; tests: ValueTest[] };

export type Detections = Map<string, DetNode>;

/** A rule's detection, parsed and checked: its selections, its conditions, and the selections those use. */
export interface ParsedDetection {
  detections: Detections;
  conditions: CondNode[];
  used: ReadonlySet<string>;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Parse every search identifier of a detection mapping (everything except `condition`/`timeframe`). */
export function parseDetections(detection: Record<string, unknown>, base: YamlPath = ['detection']): Detections {
  const out: Detections = new Map();
  for (const [name, def] of Object.entries(detection)) {
    if (name === 'condition' || name === 'timeframe') continue;
    out.set(name, parseDefinition(def, [...base, name]));
  }
  return out;
}

function parseDefinition(def: unknown, path: YamlPath): DetNode {
  if (isMap(def)) return parseMap(def, path);
  if (Array.isArray(def)) {
    if (def.length === 0) throw new RuleError('empty list in search identifier', path);
    if (def.every(isScalar)) return keywordItem(def, (i) => [...path, i]);
    const children = def.map((el, i) => {
      if (isMap(el)) return parseMap(el, [...path, i]);
      if (isScalar(el)) return keywordItem([el], () => [...path, i]);
      throw new RuleError('nested lists are not allowed in a search identifier', [...path, i]);
    });
    return children.length === 1 ? children[0]! : { op: 'or', children };
  }
  if (typeof def === 'string' || typeof def === 'number') return keywordItem([def], () => path);
  throw new RuleError(`search identifier must be a mapping, a list or a keyword, got ${def === null ? 'null' : typeof def}`, path);
}

function keywordItem(values: unknown[], valuePath: (i: number) => YamlPath): DetNode {
  return item(null, [], values, valuePath, valuePath(0), false);
}

function parseMap(map: Record<string, unknown>, path: YamlPath): DetNode {
  const keys = Object.keys(map);
  if (keys.length === 0) throw new RuleError('empty mapping in search identifier', path);
  const children = keys.map((key) => {
    const [field = '', ...mods] = key.split('|');
    const value = map[key];
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) throw new RuleError(`empty value list for '${key}'`, [...path, key]);
    const valuePath = (i: number) => (Array.isArray(value) ? [...path, key, i] : [...path, key]);
    return item(field === '' ? null : field, mods, values, valuePath, [...path, key], true);
  });
  return children.length === 1 ? children[0]! : { op: 'and', children };
}

/** One field (or keyword) item with its values; modifier errors point at the key. */
function item(
  field: string | null,
  mods: string[],
  values: unknown[],
  valuePath: (i: number) => YamlPath,
  keyPath: YamlPath,
  hasKey: boolean,
): DetNode {
  const modified = values.map((v, i) => {
    if (!isScalar(v)) throw new RuleError(`value must be a string, number, boolean or null, got ${Array.isArray(v) ? 'a list' : 'a mapping'}`, valuePath(i));
    try {
      return applyModifiers(field, mods, v);
    } catch (e) {
      if (!(e instanceof ModifierError)) throw e;
      // Unknown modifiers and combinations are the key's fault; value problems the value's.
      const keyProblem = /unknown modifier|combination|unmodified values|must be applied to field/.test(e.message);
      throw keyProblem && hasKey ? new RuleError(e.message, keyPath, true) : new RuleError(e.message, valuePath(i));
    }
  });
  const first = modified[0]!;
  let node: DetNode;
  if (first.all && modified.length > 1) {
    node = { op: 'and', children: modified.map((m) => ({ op: 'item', field, tests: m.alternatives })) };
  } else node = { op: 'item', field, tests: modified.flatMap((m) => m.alternatives) };
  return first.negated ? { op: 'not', child: node } : node;
}
