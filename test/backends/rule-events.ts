/**
 * Events generated from a rule's own values, so that converted queries and the native engine
 * are compared on events that actually hit the rule's literals (shared by the execution tests).
 */
import type { CondNode } from '../../src/sigma/condition.js';
import type { DetNode } from '../../src/sigma/detection.js';
import type { FieldValue } from '../../src/events/event.js';
import type { SigmaRule } from '../../src/sigma/rule.js';
import { WILDCARD_MULTI, WILDCARD_SINGLE, type SigmaString } from '../../src/sigma/sigma-string.js';

const sample = (s: SigmaString, fill: string) =>
  s.parts.map((p) => (p === WILDCARD_MULTI ? fill : p === WILDCARD_SINGLE ? 'y' : typeof p === 'string' ? p : 'ph')).join('');

/** Field → value assignments satisfying each leaf (first value per item); single-leaf variants go to `out`. */
function assignments(node: DetNode, out: Record<string, FieldValue>[], concat = false): Record<string, FieldValue> {
  const acc: Record<string, FieldValue> = {};
  const walk = (n: DetNode) => {
    if (n.op === 'item') {
      if (n.field === null) return;
      n.tests.forEach((t, i) => {
        let v: FieldValue | undefined;
        if (t.kind === 'string') v = sample(t.value, '-x-');
        else if (t.kind === 'number' || t.kind === 'bool') v = t.value;
        else if (t.kind === 'null') v = null;
        else if (t.kind === 'exists') v = t.value ? 'present' : undefined;
        else if (t.kind === 'compare') v = t.value + (t.op.startsWith('g') ? 1 : -1);
        else if (t.kind === 'cidr') v = [...t.cidr.bytes].join(t.cidr.version === 4 ? '.' : ':');
        if (v === undefined) return;
        const prev = acc[n.field!];
        // `concat`: values of several items on one field (|all, or contains in two selections) all present at once.
        if (prev === undefined) acc[n.field!] = v;
        else if (concat && i === 0 && typeof prev === 'string' && typeof v === 'string') acc[n.field!] = `${prev} ${v}`;
        out.push({ [n.field!]: typeof v === 'string' && i % 2 ? v.toUpperCase() : v });
      });
    } else if (n.op === 'not') walk(n.child);
    else n.children.forEach(walk);
  };
  walk(node);
  return acc;
}

/** Field sets for one rule: everything, every non-negated selection together, each selection, single leaves. */
export function ruleFieldSets(rule: SigmaRule, maxSingles = 12): Record<string, FieldValue>[] {
  const negated = new Set<string>();
  const under = (c: CondNode, neg: boolean): void => {
    if (c.op === 'ref') {
      if (neg) negated.add(c.name);
    } else if (c.op === 'not') under(c.child, !neg);
    else c.children.forEach((x) => under(x, neg));
  };
  rule.conditions.forEach((c) => under(c, false));
  const names = [...rule.detections.keys()];
  const singles: Record<string, FieldValue>[] = [];
  const whole = names.map((n) => assignments(rule.detections.get(n)!, singles));
  const all = Object.assign({}, ...whole) as Record<string, FieldValue>;
  const positive = Object.assign({}, ...whole.filter((_, i) => !negated.has(names[i]!))) as Record<string, FieldValue>;
  const joined = names.filter((n) => !negated.has(n)).map((n) => assignments(rule.detections.get(n)!, [], true));
  const positiveJoined: Record<string, FieldValue> = {};
  for (const set of joined)
    for (const [k, v] of Object.entries(set)) {
      const prev = positiveJoined[k];
      positiveJoined[k] = typeof prev === 'string' && typeof v === 'string' && prev !== v ? `${prev} ${v}` : v;
    }
  return [all, positive, positiveJoined, ...joined, ...whole, ...singles.slice(0, maxSingles)];
}
