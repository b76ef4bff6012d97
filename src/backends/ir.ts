/**
 * The rule as a boolean expression over value tests, the shape every backend renders.
 * Built from the engine's own model (SigmaRule.detections + conditions), so a converted query
 * means what the native matcher means; field names go through the target pipeline's mapping.
 */
import type { CondNode } from '../sigma/condition.js';
import type { DetNode } from '../sigma/detection.js';
import type { ValueTest } from '../sigma/modifiers.js';
import type { SigmaRule } from '../sigma/rule.js';
import { ownEntry } from '../own-entry.js';

export interface Group {
  op: 'and' | 'or';
  children: Expr[];
}

export type Expr =
  | Group
  | { op: 'not'; child: Expr }
  /** One value test on one (target) field. */
  | { op: 'test'; field: string; test: ValueTest }
  /** A keyword: a test over the whole event (no field). */
  | { op: 'keyword'; test: ValueTest };

/** Why a rule cannot be converted for a target; the CLI prints it per rule and goes on. */
export class ConversionError extends Error {}

/** Sigma field → one target field, or several (OR-linked: the value may be in any of them). */
export type FieldMap = Readonly<Record<string, string | readonly string[]>>;

export function ruleExpr(rule: SigmaRule, fields: FieldMap = {}): Expr {
  const dets = rule.detections;
  const cond = (c: CondNode): Expr => {
    if (c.op === 'ref') return detExpr(dets.get(c.name)!, fields);
    if (c.op === 'not') return { op: 'not', child: cond(c.child) };
    return flatten(c.op, c.children.map(cond));
  };
  const all = rule.conditions.map(cond);
  return all.length === 1 ? all[0]! : flatten('or', all);
}

function detExpr(node: DetNode, fields: FieldMap): Expr {
  switch (node.op) {
    case 'not':
      return { op: 'not', child: detExpr(node.child, fields) };
    case 'and':
    case 'or':
      return flatten(node.op, node.children.map((c) => detExpr(c, fields)));
    case 'item': {
      if (node.tests.length === 0) throw new ConversionError('detection item without values');
      if (node.field === null) return flatten('or', node.tests.map((test) => ({ op: 'keyword', test }) as Expr));
      const targets = mapField(node.field, fields);
      const perField = targets.map((f) => flatten('or', node.tests.map((test) => ({ op: 'test', field: f, test: mapRef(test, fields) }) as Expr)));
      return flatten('or', perField);
    }
  }
}

function mapField(field: string, fields: FieldMap): readonly string[] {
  const m = ownEntry(fields, field);
  return m === undefined ? [field] : typeof m === 'string' ? [m] : m;
}

/** A field reference names a Sigma field too: it is mapped like the field it compares with. */
function mapRef(test: ValueTest, fields: FieldMap): ValueTest {
  if (test.kind !== 'fieldref') return test;
  const to = mapField(test.field, fields);
  if (to.length !== 1) throw new ConversionError(`field reference to '${test.field}', which maps to several fields`);
  return { ...test, field: to[0]! };
}

/**
 * AND/OR with a single child collapsed. Nested groups are kept as written (each search
 * identifier stays one parenthesised group, as pySigma renders it).
 */
export function flatten(op: 'and' | 'or', children: Expr[]): Expr {
  return children.length === 1 ? children[0]! : { op, children };
}

/** Every field a tree tests (for null guards and error messages). */
export function fieldsOf(e: Expr, out = new Set<string>()): Set<string> {
  if (e.op === 'test') {
    out.add(e.field);
    if (e.test.kind === 'fieldref') out.add(e.test.field);
  }
  else if (e.op === 'not') fieldsOf(e.child, out);
  else if (e.op === 'and' || e.op === 'or') e.children.forEach((c) => fieldsOf(c, out));
  return out;
}
