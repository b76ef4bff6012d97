/**
 * Loaded packs as plain data that crosses to worker threads (structured clone): each rule's
 * parsed document, file and line, each column's spec. A worker rebuilds its packs from it by
 * compiling the documents again (compiled matchers are closures and cannot cross), without
 * reading or parsing a single rule file: with the 1,183 SigmaHQ process_creation rules that is
 * 0.7 s of YAML parsing per worker saved, and no worker competes for the disk at start-up. The
 * documents also cross one file at a time while the main thread loads (RuleSource), so workers
 * compile them during the load (PrecompiledRules).
 */
import { resolveCorrelations, CorrelationRule, SigmaRule, type CompiledRule, type RuleProblem } from '../sigma/index.js';
import { compileColumn, type Column } from './columns.js';
import type { Pack } from './pack.js';

export interface RuleSource {
  raw: Record<string, unknown>;
  file: string;
  line: number;
}

/** A rule as it crosses to a worker. */
export function ruleSource(rule: CompiledRule): RuleSource {
  if (!(rule instanceof SigmaRule)) throw new Error(`rule ${rule.file}:${rule.line} cannot be sent to a worker thread`);
  return { raw: rule.raw, file: rule.file, line: rule.line };
}

/** A rule document's key: its file and the line it starts on name it. */
const documentKey = (file: string, line: number) => `${line}:${file}`;

/**
 * Rules a worker compiled while the main thread was still loading the others (the main thread
 * sends each file's rules as it loads them), taken by packsFromSnapshot instead of compiling
 * them again once the snapshot comes. Keyed by file and line, which name one document.
 */
export class PrecompiledRules {
  private readonly rules = new Map<string, SigmaRule>();

  add(sources: readonly RuleSource[]): void {
    for (const { raw, file, line } of sources) this.rules.set(documentKey(file, line), new SigmaRule(raw, file, line));
  }

  /** Rules this thread parsed and compiled itself (parallel/rule-share.ts). */
  addCompiled(rules: readonly CompiledRule[]): void {
    for (const rule of rules) if (rule instanceof SigmaRule) this.rules.set(documentKey(rule.file, rule.line), rule);
  }

  /** The rule compiled from this source, once: a rule loaded twice (the same file in two packs) is compiled again. */
  take({ raw, file, line }: RuleSource): SigmaRule {
    const key = documentKey(file, line);
    const rule = this.rules.get(key);
    this.rules.delete(key);
    return rule ?? new SigmaRule(raw, file, line);
  }
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
    rules: pack.rules.map(ruleSource),
    correlations: (pack.correlations ?? []).map((c) => ({ raw: c.raw, file: c.file, line: c.line, refPositions: c.refPositions })),
  }));
}

/**
 * The packs again, from documents that compiled once already (here, or in `precompiled`): a
 * problem now is a bug (the compiler is deterministic), not a user error, so it throws.
 */
export function packsFromSnapshot(snapshots: readonly PackSnapshot[], precompiled = new PrecompiledRules()): Pack[] {
  return snapshots.map((s) => {
    const rules: CompiledRule[] = s.rules.map((r) => precompiled.take(r));
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
