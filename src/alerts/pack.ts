import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from 'yaml';
import { loadRules, PACK_MANIFEST, type CompiledRule, type CorrelationRule, type LoadHooks, type RuleCache, type RuleProblem } from '../sigma/index.js';
import { textOf } from '../sources/utf16.js';
import { compileColumn, type Column } from './columns.js';
import { findBuiltinPack } from './pack-names.js';

/**
 * A rule pack: rules plus how their matches become output rows.
 * A folder with a `pack.yml` is a pack; any other rule file or folder is an anonymous pack
 * whose every matching rule gives one alert.
 */
export interface Pack {
  name: string;
  rules: CompiledRule[];
  /** `all`: one alert per matching rule. `first-match`: one alert per event, first rule in order. */
  selection: 'all' | 'first-match';
  /** Rule id -> label (the DetectionArm of the seed pack). */
  labels: Map<string, string>;
  order?: 'time-desc';
  columns?: Column[];
  /** Correlation rules of the pack, linked to its rules (they alert like rules; see Detector). */
  correlations?: CorrelationRule[];
}

export interface PackLoad {
  packs: Pack[];
  rejected: RuleProblem[];
  warnings: RuleProblem[];
}

/**
 * Resolves each `--rules` argument (pack name, rule file or folder) and loads it; `hooks` and
 * `cache` as in loadRules.
 */
export async function loadPacks(specs: string[], hooks?: LoadHooks, cache?: RuleCache): Promise<PackLoad> {
  const out: PackLoad = { packs: [], rejected: [], warnings: [] };
  for (const spec of specs) {
    const path = existsSync(spec) ? spec : findBuiltinPack(spec);
    if (!path) {
      out.rejected.push({ file: spec, line: 0, column: 0, reason: `no rule file, folder or built-in pack named '${spec}'` });
      continue;
    }
    const packFile = join(path, PACK_MANIFEST);
    const isPack = statSync(path).isDirectory() && existsSync(packFile);
    const loaded = await loadRules([path], hooks, cache); // skips pack.yml
    out.rejected.push(...loaded.rejected);
    out.warnings.push(...loaded.warnings);
    if (isPack) {
      const pack = parsePackFile(packFile, loaded.rules, out.rejected);
      if (pack) out.packs.push({ ...pack, correlations: loaded.correlations });
    } else {
      out.packs.push({ name: spec, rules: loaded.rules, selection: 'all', labels: new Map(), correlations: loaded.correlations });
    }
  }
  return out;
}

/** Parses pack.yml; problems are reported with file:line:column and the pack is dropped. */
export function parsePackFile(file: string, rules: CompiledRule[], problems: RuleProblem[]): Pack | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(textOf(readFileSync(file)), { lineCounter });
  const fail = (node: Node | null | undefined, reason: string): undefined => {
    const pos = lineCounter.linePos(node?.range?.[0] ?? 0);
    problems.push({ file, line: pos.line, column: pos.col, reason });
    return undefined;
  };
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    problems.push({ file, line: err.linePos?.[0].line ?? 1, column: err.linePos?.[0].col ?? 1, reason: err.message });
    return undefined;
  }
  const root = doc.contents;
  if (!isMap(root)) return fail(root, 'pack.yml must be a mapping');
  const get = (key: string) => root.get(key, true) as Node | undefined;

  const name = get('name');
  if (!isScalar(name) || typeof name.value !== 'string') return fail(name ?? root, 'pack needs a string `name`');
  const selectionNode = get('selection');
  const selection = selectionNode === undefined ? 'all' : isScalar(selectionNode) ? selectionNode.value : undefined;
  if (selection !== 'all' && selection !== 'first-match') {
    return fail(selectionNode, "`selection` must be 'all' or 'first-match'");
  }
  const orderNode = get('order');
  const order = orderNode === undefined ? undefined : isScalar(orderNode) ? orderNode.value : null;
  if (order !== undefined && order !== 'time-desc') return fail(orderNode, "`order` must be 'time-desc'");

  const byId = new Map(rules.filter((r) => r.id).map((r) => [r.id!, r]));
  const labels = new Map<string, string>();
  const ordered: CompiledRule[] = [];
  const armsNode = get('arms');
  if (armsNode !== undefined) {
    if (!isSeq(armsNode)) return fail(armsNode, '`arms` must be a list of {rule, label}');
    for (const item of armsNode.items as Node[]) {
      if (!isMap(item)) return fail(item, 'each arm must be a mapping {rule, label}');
      const ruleNode = item.get('rule', true) as Node | undefined;
      const labelNode = item.get('label', true) as Node | undefined;
      const id = isScalar(ruleNode) ? String(ruleNode.value) : undefined;
      const rule = id === undefined ? undefined : byId.get(id);
      if (!rule) return fail(ruleNode ?? item, `arm rule '${id ?? ''}' is not a loaded rule of this pack`);
      labels.set(id!, isScalar(labelNode) ? String(labelNode.value ?? '') : '');
      ordered.push(rule);
    }
  }
  // Rules not named as arms keep their file order after the arms.
  for (const rule of rules) if (!ordered.includes(rule)) ordered.push(rule);

  let columns: Column[] | undefined;
  const columnsNode = get('columns');
  if (columnsNode !== undefined) {
    if (!isMap(columnsNode)) return fail(columnsNode, '`columns` must map column names to specs');
    columns = [];
    for (const pair of columnsNode.items) {
      const key = pair.key as Node;
      const value = pair.value as Node;
      const column = compileColumn(String((key as { value?: unknown }).value), String((value as { value?: unknown })?.value ?? ''));
      if (typeof column === 'string') return fail(value ?? key, column);
      columns.push(column);
    }
  }
  return { name: name.value, rules: ordered, selection, labels, order: order ?? undefined, columns };
}
