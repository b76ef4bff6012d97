/**
 * Links correlation rules to the rules they name (by id or name, among the rules loaded
 * together) and rejects those that cannot run: unknown references, aliases naming rules the
 * correlation does not use, cycles, or references to a rejected correlation.
 */
import type { CompiledRule } from '../rule.js';
import type { RuleProblem } from '../yaml-loader.js';
import type { CorrelationInputRule, CorrelationRule } from './correlation-rule.js';

export function resolveCorrelations(rules: readonly CompiledRule[], correlations: CorrelationRule[], rejected: RuleProblem[]): CorrelationRule[] {
  const problem = (c: CorrelationRule, reason: string, at = { line: c.line, column: 1 }): RuleProblem => ({
    file: c.file, ...at, reason, title: c.title, ...(c.id ? { id: c.id } : {}),
  });
  let live = [...correlations];
  // Rejecting one correlation can orphan another that refers to it: repeat until stable.
  for (let changed = true; changed; ) {
    changed = false;
    const byId = new Map<string, CorrelationInputRule>();
    const byName = new Map<string, CorrelationInputRule>();
    for (const r of [...rules, ...live]) {
      if (r.id !== undefined && !byId.has(r.id)) byId.set(r.id, r);
      if (r.name !== undefined && !byName.has(r.name)) byName.set(r.name, r);
    }
    const kept: CorrelationRule[] = [];
    for (const c of live) {
      const reason = link(c, byId, byName);
      if (reason) {
        rejected.push(problem(c, reason.text, reason.at));
        changed = true;
      } else kept.push(c);
    }
    live = kept;
    if (!changed) {
      const cyclic = findCycle(live);
      if (cyclic) {
        rejected.push(problem(cyclic, 'correlation rules refer to each other in a cycle'));
        live = live.filter((c) => c !== cyclic);
        changed = true;
      }
    }
  }
  return live;
}

function link(c: CorrelationRule, byId: Map<string, CorrelationInputRule>, byName: Map<string, CorrelationInputRule>) {
  const inputs: CorrelationInputRule[] = [];
  for (let i = 0; i < c.refs.length; i += 1) {
    const ref = c.refs[i]!;
    const target = byId.get(ref) ?? byName.get(ref);
    if (!target) return { text: `correlation refers to '${ref}', which is not a loaded rule's id or name (missing or rejected)`, at: c.refPositions[i] };
    if (target === c) return { text: 'a correlation cannot refer to itself', at: c.refPositions[i] };
    inputs.push(target);
  }
  for (const [alias, map] of c.aliases) {
    for (const key of map.keys()) {
      if (!inputs.some((r) => r.name === key || r.id === key)) {
        return { text: `alias '${alias}' names '${key}', which is not one of this correlation's rules` };
      }
    }
  }
  c.inputs = inputs;
  return undefined;
}

function findCycle(correlations: readonly CorrelationRule[]): CorrelationRule | undefined {
  const state = new Map<CorrelationRule, 'open' | 'done'>();
  const visit = (c: CorrelationRule): CorrelationRule | undefined => {
    const s = state.get(c);
    if (s === 'open') return c;
    if (s === 'done') return undefined;
    state.set(c, 'open');
    for (const input of c.inputs) {
      if ('kind' in input && input.kind === 'correlation') {
        const found = visit(input);
        if (found) return found;
      }
    }
    state.set(c, 'done');
    return undefined;
  };
  for (const c of correlations) {
    const found = visit(c);
    if (found) return found;
  }
  return undefined;
}

/**
 * Rules that do not alert on their own: every rule a correlation refers to, unless one of the
 * correlations referring to it says `generate: true` (the specification's default is false:
 * only the outermost correlation produces results).
 */
export function silentRules(correlations: readonly CorrelationRule[]): Set<CorrelationInputRule> {
  const silent = new Set<CorrelationInputRule>();
  const loud = new Set<CorrelationInputRule>();
  for (const c of correlations) for (const input of c.inputs) (c.generate ? loud : silent).add(input);
  for (const r of loud) silent.delete(r);
  return silent;
}
