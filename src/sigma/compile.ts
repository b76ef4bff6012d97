/**
 * Compile detection trees and conditions to closures over an EventContext, once per rule,
 * so matching an event runs no interpretation of the rule structure.
 */
import type { RE2JS } from 're2js';
import type { FieldValue } from '../events/event.js';
import { cidrContains } from './cidr.js';
import type { CondNode } from './condition.js';
import type { DetNode } from './detection.js';
import { fieldSlot, scalars, type EventContext, type LowerForms } from './field-access.js';
import type { ValueTest } from './modifiers.js';
import { compileRegex } from './regex.js';
import { SigmaString } from './sigma-string.js';
import { anyStringPredicate, type StringPredicate } from './string-match.js';

export type Matcher = (ctx: EventContext) => boolean;

const NEVER: Matcher = () => false;

export function compileCondition(node: CondNode, selections: ReadonlyMap<string, Matcher>): Matcher {
  switch (node.op) {
    case 'ref':
      return selections.get(node.name)!;
    case 'not': {
      const m = compileCondition(node.child, selections);
      return (ctx) => !m(ctx);
    }
    default:
      return combine(node.op, node.children.map((c) => compileCondition(c, selections)));
  }
}

export function compileDetection(node: DetNode): Matcher {
  switch (node.op) {
    case 'item':
      return node.field === null ? keywordMatcher(node.tests) : fieldMatcher(node.field, node.tests);
    case 'not': {
      const m = compileDetection(node.child);
      return (ctx) => !m(ctx);
    }
    default:
      return combine(node.op, node.children.map(compileDetection));
  }
}

function combine(op: 'and' | 'or', ms: Matcher[]): Matcher {
  if (ms.length === 1) return ms[0]!;
  if (ms.length === 2) {
    const [a, b] = ms as [Matcher, Matcher];
    return op === 'and' ? (ctx) => a(ctx) && b(ctx) : (ctx) => a(ctx) || b(ctx);
  }
  if (op === 'and')
    return (ctx) => {
      for (let i = 0; i < ms.length; i++) if (!ms[i]!(ctx)) return false;
      return true;
    };
  return (ctx) => {
    for (let i = 0; i < ms.length; i++) if (ms[i]!(ctx)) return true;
    return false;
  };
}

function anyForm(forms: LowerForms, pred: StringPredicate): boolean {
  if (typeof forms === 'string') return pred(forms);
  if (forms === undefined) return false;
  for (let i = 0; i < forms.length; i++) if (pred(forms[i]!)) return true;
  return false;
}

type Scalar = string | number | boolean | null;

/** String form used by cased string tests, regexes and field references. */
function text(v: Scalar): string | undefined {
  return v === null ? undefined : typeof v === 'string' ? v : String(v);
}

/**
 * Some scalar of a field's value (the value itself, or the scalars of a list) passes `test`. Its
 * callers pass tests made once per rule: an array and a closure made per event for a plain value
 * were a few percent of a hunt's garbage (SigmaHQ's `EventID` tests run on every candidate rule).
 */
function anyScalar(v: FieldValue | undefined, test: (v: Scalar) => boolean): boolean {
  if (v === undefined) return false;
  if (!Array.isArray(v)) return (typeof v !== 'object' || v === null) && test(v as Scalar);
  const all = scalars(v);
  for (let i = 0; i < all.length; i++) if (test(all[i]!)) return true;
  return false;
}

/** OR of the tests on one field, grouped so that each group reads the field once. */
function fieldMatcher(field: string, tests: ValueTest[]): Matcher {
  const parts: Matcher[] = [];
  const strings = (cased: boolean) =>
    tests.filter((t): t is Extract<ValueTest, { kind: 'string' }> => t.kind === 'string' && t.cased === cased).map((t) => t.value);
  const folded = strings(false);
  if (folded.length) {
    const pred = anyStringPredicate(folded, true);
    const slot = fieldSlot(field);
    parts.push((ctx) => anyForm(ctx.lowerAt(slot), pred));
  }
  const cased = strings(true);
  if (cased.length) {
    const pred = anyStringPredicate(cased, false);
    const test = (v: Scalar) => {
      const s = text(v);
      return s !== undefined && pred(s);
    };
    parts.push((ctx) => anyScalar(ctx.get(field), test));
  }
  const scalarPreds = tests.flatMap((t) => {
    const p = scalarPredicate(t);
    return p ? [p] : [];
  });
  if (scalarPreds.length) {
    const test = scalarPreds.length === 1 ? scalarPreds[0]! : (v: Scalar) => {
      for (let i = 0; i < scalarPreds.length; i++) if (scalarPreds[i]!(v)) return true;
      return false;
    };
    parts.push((ctx) => anyScalar(ctx.get(field), test));
  }
  for (const t of tests) {
    if (t.kind === 'exists') parts.push((ctx) => present(ctx.get(field)) === t.value);
    if (t.kind === 'fieldref') parts.push(fieldRefMatcher(field, t));
  }
  return parts.length ? combine('or', parts) : NEVER;
}

/** A field "exists" when it is present with a non-null value. */
function present(v: FieldValue | undefined): boolean {
  return v !== undefined && v !== null;
}

function scalarPredicate(t: ValueTest): ((v: Scalar) => boolean) | undefined {
  switch (t.kind) {
    case 'number': {
      const n = t.value;
      const s = String(n);
      return (v) => v === n || v === s;
    }
    case 'bool': {
      const b = t.value;
      const s = String(b);
      return (v) => v === b || (typeof v === 'string' && v.toLowerCase() === s);
    }
    case 'null':
      return (v) => v === null;
    case 'regex': {
      // Compiled at its first value: many patterns never meet their field. It cannot fail: the
      // rule's parse compiled it once to check it (docs/performance.md#parsed-detections-kept).
      let re: RE2JS | undefined;
      return (v) => {
        const s = text(v);
        return s !== undefined && (re ??= compileRegex(t.pattern, t.flags)).test(s);
      };
    }
    case 'cidr': {
      const c = t.cidr;
      return (v) => typeof v === 'string' && cidrContains(c, v);
    }
    case 'compare': {
      const { op, value } = t;
      return (v) => {
        const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
        if (Number.isNaN(n)) return false;
        return op === 'gt' ? n > value : op === 'gte' ? n >= value : op === 'lt' ? n < value : n <= value;
      };
    }
    default:
      return undefined;
  }
}

function fieldRefMatcher(field: string, t: Extract<ValueTest, { kind: 'fieldref' }>): Matcher {
  const cmp = (a: string, b: string) =>
    t.startsWith && t.endsWith ? a.includes(b) : t.startsWith ? a.startsWith(b) : t.endsWith ? a.endsWith(b) : a === b;
  const forms = (ctx: EventContext, name: string): string[] => {
    if (!t.cased) {
      const f = ctx.lower(name);
      return f === undefined ? [] : typeof f === 'string' ? [f] : f;
    }
    return scalars(ctx.get(name)).flatMap((v) => text(v) ?? []);
  };
  return (ctx) => {
    const refs = forms(ctx, t.field);
    if (!refs.length) return false;
    return forms(ctx, field).some((a) => refs.some((b) => cmp(a, b)));
  };
}

/**
 * Keywords: case-insensitive substring search (wildcards honoured) over every string value
 * of the event, nested ones included.
 */
function keywordMatcher(tests: ValueTest[]): Matcher {
  const parts: Matcher[] = [];
  const contains = (v: SigmaString) => v.withLeadingMulti().withTrailingMulti();
  const pick = (cased: boolean) =>
    tests.flatMap((t) =>
      t.kind === 'string' && t.cased === cased ? [contains(t.value)] : !cased && t.kind === 'number' ? [contains(stringOf(t.value))] : [],
    );
  const folded = pick(false);
  if (folded.length) {
    const pred = anyStringPredicate(folded, true);
    parts.push((ctx) => ctx.allLower().some(pred));
  }
  const cased = pick(true);
  if (cased.length) {
    const pred = anyStringPredicate(cased, false);
    parts.push((ctx) => ctx.all().some(pred));
  }
  for (const t of tests) {
    if (t.kind === 'regex') {
      let re: RE2JS | undefined;
      parts.push((ctx) => ctx.all().some((s) => (re ??= compileRegex(t.pattern, t.flags)).test(s)));
    }
  }
  return parts.length ? combine('or', parts) : NEVER;
}

function stringOf(n: number): SigmaString {
  return new SigmaString([String(n)]);
}
