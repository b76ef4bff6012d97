/**
 * Query-building base: walks a rule's expression tree and leaves the leaves, the grouping
 * tokens and the query frame to each target. Also carries the one piece of logic every
 * three-valued target (SQL, AQL) needs: null guards, so that `not` means what it means in the
 * native engine, where an absent field simply fails a test (never "unknown").
 */
import type { ValueTest } from '../sigma/modifiers.js';
import type { SigmaString } from '../sigma/sigma-string.js';
import type { SigmaRule } from '../sigma/rule.js';
import { ConversionError, ruleExpr, type Expr, type Group, type FieldMap } from './ir.js';
import { shapeOf } from './strings.js';

export interface Ctx {
  /** Under an odd or even number of `not`s: a NULL (unknown) leaf here can flip the result. */
  negated: boolean;
  /** Fields a sibling positive test already requires to be present (no guard needed). */
  nonNull: ReadonlySet<string>;
}

export const TOP: Ctx = { negated: false, nonNull: new Set() };

export interface Tokens {
  and: string;
  or: string;
  not: (inner: string) => string;
  group: (inner: string) => string;
  /** Group an AND inside an OR? (pySigma always does; ES|QL relies on precedence.) */
  groupAndInOr: boolean;
  /** Group a `not` inside AND/OR (KQL: `a and (not(b))`, as pySigma-kusto writes it). */
  groupNot?: boolean;
  /** Group an OR inside an AND? Not needed in SPL, where OR binds tighter than AND. */
  groupOrInAnd?: boolean;
}

export abstract class TextBackend {
  abstract readonly tokens: Tokens;
  /** SQL-like targets: a test on an absent field is NULL, not false. */
  readonly threeValued: boolean = false;

  constructor(readonly fields: FieldMap = {}) {}

  /** The boolean expression of a rule's detection (no logsource, no frame). */
  condition(rule: SigmaRule): string {
    return this.expr(ruleExpr(rule, this.fields), TOP);
  }

  /** The condition ready to be ANDed with other terms: parenthesised when its top is an OR. */
  conjunct(rule: SigmaRule): string {
    const e = ruleExpr(rule, this.fields);
    const text = this.expr(e, TOP);
    return e.op === 'or' ? this.tokens.group(text) : text;
  }

  expr(e: Expr, ctx: Ctx): string {
    switch (e.op) {
      case 'test':
        return this.guarded(e.field, e.test, ctx);
      case 'keyword':
        return this.keyword(e.test);
      case 'not': {
        const direct = e.child.op === 'test' ? this.negatedLeaf(e.child.field, e.child.test) : undefined;
        if (direct !== undefined) return direct;
        const inner = this.expr(e.child, { ...ctx, negated: !ctx.negated });
        return this.tokens.not(isCompound(e.child) ? this.tokens.group(inner) : inner);
      }
      case 'or': {
        const asIn = this.inList(e);
        if (asIn !== undefined) return asIn;
        return e.children.map((c) => this.child(c, ctx, 'or')).join(this.tokens.or);
      }
      case 'and': {
        // At the positive level an AND is true only if every child is: a field that a sibling
        // tests positively is present whenever the AND can be true, so `not` siblings need no guard.
        const nonNull = ctx.negated ? ctx.nonNull : new Set([...ctx.nonNull, ...e.children.flatMap(requiredFields)]);
        return e.children.map((c) => this.child(c, { ...ctx, nonNull }, 'and')).join(this.tokens.and);
      }
    }
  }

  private child(c: Expr, ctx: Ctx, parent: 'and' | 'or'): string {
    const s = this.expr(c, ctx);
    const needs =
      (c.op === 'or' && (parent === 'or' || this.tokens.groupOrInAnd !== false)) ||
      (c.op === 'and' && (parent === 'and' || this.tokens.groupAndInOr)) ||
      (c.op === 'not' && this.tokens.groupNot === true);
    return needs ? this.tokens.group(s) : s;
  }

  /** Three-valued targets: a leaf that is NULL on a missing field gets `field IS NOT NULL AND …` under a `not`. */
  private guarded(field: string, test: ValueTest, ctx: Ctx): string {
    const leaf = this.leaf(field, test, ctx);
    if (!this.threeValued || !ctx.negated || test.kind === 'exists' || test.kind === 'null') return leaf;
    const need = [field, ...(test.kind === 'fieldref' ? [test.field] : [])].filter((f) => !ctx.nonNull.has(f));
    if (need.length === 0) return leaf;
    return this.tokens.group([...need.map((f) => this.notNull(f)), leaf].join(this.tokens.and));
  }

  /** A target's own form for `not <leaf>` (EQL: `?F != null`); undefined = `not` + the leaf. */
  protected negatedLeaf(_field: string, _test: ValueTest): string | undefined {
    return undefined;
  }

  /** OR of plain values on one field as an IN list, where the target has one; undefined otherwise. */
  protected inList(_e: Group): string | undefined {
    return undefined;
  }

  /** The string values if every child is a string test on the same field with this casing. */
  protected sameFieldStrings(e: Group, cased = false): { field: string; values: SigmaString[] } | undefined {
    const first = e.children[0];
    if (first?.op !== 'test') return undefined;
    const values: SigmaString[] = [];
    for (const c of e.children) {
      if (c.op !== 'test' || c.field !== first.field || c.test.kind !== 'string' || c.test.cased !== cased) return undefined;
      values.push(c.test.value);
    }
    return { field: first.field, values };
  }

  /** Plain (wildcard-free) values if every child is one on the same field with this casing. */
  protected plainValues(e: Group, cased = false): { field: string; values: string[] } | undefined {
    const same = this.sameFieldStrings(e, cased);
    if (!same) return undefined;
    const values: string[] = [];
    for (const v of same.values) {
      const sh = shapeOf(v);
      if (sh.kind !== 'exact') return undefined;
      values.push(sh.text);
    }
    return { field: same.field, values };
  }

  abstract leaf(field: string, test: ValueTest, ctx: Ctx): string;
  abstract keyword(test: ValueTest): string;
  abstract notNull(field: string): string;
}

const isCompound = (e: Expr) => e.op === 'and' || e.op === 'or';

/** Fields a positive child cannot be true without (value tests on that field, or exists: true). */
function requiredFields(e: Expr): string[] {
  if (e.op === 'test') {
    if (e.test.kind === 'null' || (e.test.kind === 'exists' && !e.test.value)) return [];
    return [e.field];
  }
  if (e.op === 'or') {
    const sets = e.children.map(requiredFields);
    return sets[0]!.filter((f) => sets.every((s) => s.includes(f)));
  }
  if (e.op === 'and') return e.children.flatMap(requiredFields);
  return [];
}

export function unsupported(target: string, what: string): never {
  throw new ConversionError(`${what} is not expressible in ${target}`);
}
