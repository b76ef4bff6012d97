/** Conformance: every vector of the shared sigma-vectors core and match suites is one test. */
import { describe, expect, it } from 'vitest';
import { cidrToWildcards } from '../../src/sigma/cidr.js';
import { parseCondition, type CondNode } from '../../src/sigma/condition.js';
import { parseDetections, type DetNode } from '../../src/sigma/detection.js';
import { loadRulesFromText } from '../../src/sigma/index.js';
import { applyModifiers, type ValueTest } from '../../src/sigma/modifiers.js';
import { SigmaRule } from '../../src/sigma/rule.js';
import { SigmaString, WILDCARD_MULTI, WILDCARD_SINGLE, type Part } from '../../src/sigma/sigma-string.js';
import { event, readShared } from './helpers.js';

interface Vector {
  id: string;
  kind: string;
  description: string;
  input: Record<string, any>;
  output?: Record<string, any>;
  expect_error?: string;
}

function load<T>(rel: string, key: string): T[] | Error {
  try {
    return (readShared(rel) as Record<string, T[]>)[key]!;
  } catch (e) {
    return e as Error;
  }
}

const partNames = (parts: readonly Part[]) =>
  parts.map((p) => (p === WILDCARD_MULTI ? 'WILDCARD_MULTI' : p === WILDCARD_SINGLE ? 'WILDCARD_SINGLE' : p));

const stringOf = (t: ValueTest): SigmaString => {
  if (t.kind !== 'string') throw new Error(`expected a string value, got ${t.kind}`);
  return t.value;
};

/** Renders detection trees in the format of pySigma's test backend (`field contains "x"`). */
function renderDet(n: DetNode, top = true): string {
  const wrap = (s: string) => (top ? s : `(${s})`);
  switch (n.op) {
    case 'not':
      return `not ${renderDet(n.child, false)}`;
    case 'and':
    case 'or':
      return wrap(n.children.map((c) => renderDet(c, false)).join(` ${n.op} `));
    case 'item': {
      const one = (t: ValueTest) => {
        const p = stringOf(t).parts;
        const inner = new SigmaString(p.slice(1, -1));
        if (p[0] === WILDCARD_MULTI && p[p.length - 1] === WILDCARD_MULTI && inner.isPlain)
          return `${n.field} contains "${inner.plain}"`;
        return `${n.field}="${stringOf(t).render()}"`;
      };
      const s = n.tests.map(one);
      return s.length === 1 ? s[0]! : wrap(s.join(' or '));
    }
  }
}

const refs = (n: CondNode): string[] => (n.op === 'ref' ? [n.name] : n.op === 'not' ? refs(n.child) : n.children.flatMap(refs));

function checkCore(v: Vector): void {
  const out = v.output ?? {};
  const mods: string[] = v.input.modifiers ?? [];
  if (v.kind === 'modifier') {
    const field = 'field' in v.input ? v.input.field : 'fieldA';
    const run = () => applyModifiers(field, mods, v.input.value);
    if (v.expect_error) {
      const msg = v.expect_error.slice(v.expect_error.indexOf(':') + 1).trim();
      expect(run).toThrow(msg);
      return;
    }
    const r = run();
    const alts = r.alternatives;
    if ('sigma_string' in out) expect(stringOf(alts[0]!).render()).toBe(out.sigma_string);
    if ('parts' in out) expect(partNames(stringOf(alts[0]!).parts)).toEqual(out.parts);
    if ('expansion' in out) expect(alts.map((a) => stringOf(a).render())).toEqual(out.expansion);
    if ('regex' in out) {
      const t = alts[0]!;
      expect(t.kind).toBe('regex');
      if (t.kind === 'regex') {
        expect(t.pattern).toBe(out.regex);
        expect(t.flags).toEqual(out.flags ?? []);
      }
    }
    if ('field_reference' in out) {
      expect(alts[0]).toMatchObject({ kind: 'fieldref', field: out.field_reference, startsWith: out.starts_with, endsWith: out.ends_with });
    }
    if ('negated' in out) expect(r.negated).toBe(out.negated);
    expect(Object.keys(out).length).toBeGreaterThan(0);
  } else if (v.kind === 'string-parse') {
    const s = SigmaString.parse(v.input.value, mods.includes('expand'));
    if ('parts' in out) expect(partNames(s.parts)).toEqual(out.parts);
    if ('regex' in out) expect(s.toRegex(v.input.regex_extra_escape ?? '')).toBe(out.regex);
  } else if (v.kind === 'cidr-expand') {
    expect(cidrToWildcards(v.input.cidr)).toEqual(out.wildcard_values);
  } else if (v.kind === 'condition') {
    if (v.input.rule_detection) {
      const rule = new SigmaRule({ title: v.id, logsource: { product: 'test' }, detection: v.input.rule_detection }, 'vector', 1);
      if ('query_count' in out) expect(rule.conditions).toHaveLength(out.query_count);
      if ('test_backend_query' in out) {
        const dets = parseDetections(v.input.rule_detection);
        const cond = rule.conditions[0]!;
        expect(cond.op).toBe('ref');
        expect(renderDet(dets.get(refs(cond)[0]!)!)).toBe(out.test_backend_query);
      }
    } else {
      const ids = ['selection1', 'selection2', '_hidden'];
      const tree = parseCondition(v.input.condition, ids);
      expect(refs(tree).sort()).toEqual(['selection1', 'selection2']);
      if (out.operator) expect(tree.op).toBe(out.operator.toLowerCase());
      else expect(tree.op).toBe('or');
    }
  } else throw new Error(`unknown vector kind ${v.kind}`);
}

describe('core/value-semantics.yaml', () => {
  const vectors = load<Vector>('sigma-vectors/core/value-semantics.yaml', 'vectors');
  if (vectors instanceof Error) {
    it('needs the shared folder', () => {
      throw vectors;
    });
    return;
  }
  it('has all 46 vectors', () => expect(vectors).toHaveLength(46));
  for (const v of vectors) it(`${v.id}: ${v.description}`, () => checkCore(v));
});

interface MatchVector {
  id: string;
  description: string;
  rule: string;
  events: { event: Record<string, unknown>; match: boolean }[];
}

describe('match/engine-semantics.yaml', () => {
  const vectors = load<MatchVector>('sigma-vectors/match/engine-semantics.yaml', 'vectors');
  if (vectors instanceof Error) {
    it('needs the shared folder', () => {
      throw vectors;
    });
    return;
  }
  for (const v of vectors) {
    v.events.forEach((e, i) => {
      it(`${v.id} event ${i + 1}: ${v.description} → ${e.match}`, () => {
        const r = loadRulesFromText(v.rule, `${v.id}.yml`);
        expect(r.rejected).toEqual([]);
        expect(r.rules).toHaveLength(1);
        expect(r.rules[0]!.matches(event(e.event))).toBe(e.match);
      });
    });
  }
});
