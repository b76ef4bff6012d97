/**
 * Loaded packs as plain data that crosses to worker threads (structured clone): each rule's
 * parsed document, file and line, each column's spec. A worker rebuilds its packs from it by
 * compiling the documents again (compiled matchers are closures and cannot cross), without
 * reading or parsing a single rule file: with the 1,183 SigmaHQ process_creation rules that is
 * 0.7 s of YAML parsing per worker saved, and no worker competes for the disk at start-up.
 */
import { resolveCorrelations, CorrelationRule, SigmaRule, type CompiledRule, type RuleProblem } from '../sigma/index.js';
import { compileColumn, type Column } from './columns.js';
import type { Pack } from './pack.js';

interface RuleSource {
  raw: Record<string, unknown>;
  file: string;
  line: number;
}

export interface PackSnapshot {
  name: string;
  selection: Pack['selection'];
  labels: Map<string, string>;
  order?: Pack['order'];
  columns?: Array<{ name: string; spec: string }>;
  /** In pack order: workers and the main thread must agree on rule positions (correlation matches name them). */
  rules: RuleSource[];
  correlations: Array<RuleSource & { refPositions: CorrelationRule['refPositions'] }>;
}

export function snapshotPacks(packs: readonly Pack[]): PackSnapshot[] {
  return packs.map((pack) => ({
    name: pack.name,
    selection: pack.selection,
    labels: pack.labels,
    order: pack.order,
    columns: pack.columns?.map(({ name, spec }) => ({ name, spec })),
    rules: pack.rules.map((rule) => {
      if (!(rule instanceof SigmaRule)) throw new Error(`rule ${rule.file}:${rule.line} cannot be sent to a worker thread`);
      return { raw: rule.raw, file: rule.file, line: rule.line };
    }),
    correlations: (pack.correlations ?? []).map((c) => ({ raw: c.raw, file: c.file, line: c.line, refPositions: c.refPositions })),
  }));
}

/**
 * The packs again, from documents that compiled once already: a problem now is a bug (the
 * compiler is deterministic), not a user error, so it throws.
 */
export function packsFromSnapshot(snapshots: readonly PackSnapshot[]): Pack[] {
  return snapshots.map((s) => {
    const rules: CompiledRule[] = s.rules.map((r) => new SigmaRule(r.raw, r.file, r.line));
    const problems: RuleProblem[] = [];
    const correlations = resolveCorrelations(rules, s.correlations.map((c) => {
      const rule = new CorrelationRule(c.raw, c.file, c.line);
      rule.refPositions = c.refPositions;
      return rule;
    }), problems);
    if (problems.length > 0) throw new Error(`pack ${s.name}: correlations no longer resolve: ${problems[0]!.reason}`);
    const columns = s.columns?.map(({ name, spec }) => compileColumn(name, spec) as Column);
    return { name: s.name, rules, selection: s.selection, labels: s.labels, order: s.order, columns, correlations };
  });
}
