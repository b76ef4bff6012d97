/**
 * Loaded packs as plain data that crosses to worker threads (structured clone): each rule's
 * parsed document, file and line, each column's spec. A worker rebuilds its packs from it by
 * compiling the documents again (compiled matchers are closures and cannot cross), without
 * reading or parsing a single rule file: no YAML parsed again per worker, and no worker
 * competes for the disk at start-up. The
 * documents also cross one file at a time while the main thread loads (RuleSource), so workers
 * take them during the load (PrecompiledRules). Each carries the rule's prefilter anchors: a
 * worker parses a detection only when its rule is first tested (sigma/rule.ts), and of a large
 * set most never are (docs/performance.md#rule-snapshot-to-workers-lazy-detection-compile).
 */
import { resolveCorrelations, CorrelationRule, SigmaRule, type CompiledRule, type RuleProblem } from '../sigma/index.js';
import { isStoredDocument, type StoredDocument } from '../sigma/rule.js';
import type { Anchors } from '../sigma/prefilter.js';
import { compileColumn, type Column } from './columns.js';
import type { Pack } from './pack.js';

export interface RuleSource {
  /** The document, or its stored form when the rule came from the rule cache (not deserialized to cross). */
  raw: Record<string, unknown> | StoredDocument;
  file: string;
  line: number;
  anchors: Anchors;
  /** The parsed detection, when the rule came from the rule cache (sigma/detection-bytes.ts). */
  detection?: Uint8Array;
}

/** A rule as it crosses to a worker. */
export function ruleSource(rule: CompiledRule): RuleSource {
  if (!(rule instanceof SigmaRule)) throw new Error(`rule ${rule.file}:${rule.line} cannot be sent to a worker thread`);
  const raw = rule.document;
  const detection = rule.knownDetectionBytes;
  return { raw: isStoredDocument(raw) ? { ...raw, bytes: own(raw.bytes) } : raw, file: rule.file, line: rule.line, anchors: rule.anchors, detection: detection && own(detection) };
}

/**
 * Bytes with a buffer of their own: a rule read from the rule cache holds views into the whole
 * cache file's payload, and a view posted to a worker takes its whole buffer along.
 */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/** A rule document's key: its file and the line it starts on name it. */
const documentKey = (file: string, line: number) => `${line}:${file}`;

/**
 * Rules a worker made while the main thread was still loading the others (the main thread
 * sends each file's rules as it loads them), taken by packsFromSnapshot instead of making
 * them again once the snapshot comes. Keyed by file and line, which name one document.
 */
export class PrecompiledRules {
  private readonly rules = new Map<string, SigmaRule>();

  add(sources: readonly RuleSource[]): void {
    for (const source of sources) this.rules.set(documentKey(source.file, source.line), fromSource(source));
  }

  /** The rule made from this source, once: a rule loaded twice (the same file in two packs) is made again. */
  take(source: RuleSource): SigmaRule {
    const key = documentKey(source.file, source.line);
    const rule = this.rules.get(key);
    this.rules.delete(key);
    return rule ?? fromSource(source);
  }
}

const fromSource = ({ raw, file, line, anchors, detection }: RuleSource) => new SigmaRule(raw, file, line, anchors, detection);

export interface PackSnapshot {
  name: string;
  selection: Pack['selection'];
  labels: Map<string, string>;
  order?: Pack['order'];
  columns?: Array<{ name: string; spec: string }>;
  /** In pack order: workers and the main thread must agree on rule positions (correlation matches name them). */
  rules: RuleSource[];
  correlations: Array<{ raw: Record<string, unknown>; file: string; line: number; refPositions: CorrelationRule['refPositions'] }>;
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
