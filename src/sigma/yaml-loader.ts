/**
 * Read rule files: YAML 1.2 core schema (so `yes` stays a string), every problem reported at
 * file:line:column of the offending node. One bad document rejects only its own rule.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CST, Document, LineCounter, Parser, Scalar, isMap, isPair, isScalar, isSeq, parseAllDocuments, visit, type Node } from 'yaml';
import { CorrelationRule } from './correlation/correlation-rule.js';
import { resolveCorrelations } from './correlation/resolve.js';
import { RuleError, type YamlPath } from './errors.js';
import { fileStamp, ruleFileDigest, type RuleCache, type RuleCacheLoad } from './rule-cache.js';
import { readPlainDocuments } from './plain-yaml.js';
import { SigmaRule, type CompiledRule } from './rule.js';
import { PACK_MANIFEST } from './pack-manifest.js';
import { textOf } from '../sources/utf16.js';

export interface RuleProblem {
  file: string;
  line: number;
  column: number;
  reason: string;
  title?: string;
  id?: string;
}

export interface LoadResult {
  rules: CompiledRule[];
  /** Correlation rules, linked to the rules they refer to (see correlation/resolve.ts). */
  correlations: CorrelationRule[];
  rejected: RuleProblem[];
  warnings: RuleProblem[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A document of the fast path (plain-yaml.ts), as read by any thread: it crosses to others (structured clone). */
export interface PlainRuleDocument {
  raw: Obj;
  /** Line of the document's first key. */
  line: number;
}

/**
 * Another thread that reads and parses some of a load's files (parallel/rule-share.ts):
 * `share` sees the load's files in order. For each index, `take` says whether this thread
 * parses that file itself (undefined) or another thread did: then its documents, or undefined
 * when that file needs this thread's reference path (a problem to report, special YAML), and
 * the digest of the bytes it read (rule-cache.ts).
 */
export interface FileShare {
  take(index: number): Promise<{ documents: PlainRuleDocument[] | undefined; by: number; digest?: string } | undefined>;
}

export interface LoadHooks {
  /** Each file's rules as soon as they compile; `parsedBy` names the thread that parsed them, when not this one. */
  onFile?: (rules: readonly CompiledRule[], parsedBy?: number) => void;
  share?: (files: readonly string[]) => FileShare;
}

/**
 * Files and folders (recursive, .yml/.yaml), loaded in sorted path order for determinism.
 * A scan's workers compile each file's rules meanwhile, and parse some of the files (`hooks`,
 * see parallel/pool.ts): the result is the same whichever thread parsed a file. With a
 * `cache`, files whose bytes it holds the load of are not parsed at all (rule-cache.ts).
 */
export async function loadRules(paths: string[], hooks: LoadHooks = {}, cache?: RuleCache): Promise<LoadResult> {
  const result: LoadResult = { rules: [], correlations: [], rejected: [], warnings: [] };
  const files: string[] = [];
  for (const p of paths) {
    try {
      files.push(...collect(p));
    } catch (e) {
      result.rejected.push({ file: p, line: 1, column: 1, reason: `cannot read: ${(e as Error).message}` });
    }
  }
  const sorted = [...new Set(files)].sort();
  const cached = cache?.open(paths);
  const known = cached ? sorted.map((file) => readKnown(file, cached)) : [];
  // Only the files the cache does not hold are parsed, and shared with other threads.
  const toParse = cached ? sorted.filter((_, i) => !known[i]?.load) : sorted;
  const share = toParse.length > 0 ? hooks.share?.(toParse) : undefined;
  let parsing = 0;
  for (let i = 0; i < sorted.length; i++) {
    const file = sorted[i]!;
    const read = known[i];
    let r = read?.load;
    let parsedBy: number | undefined;
    if (!r) {
      const shared = await share?.take(parsing++);
      const fromShare = shared?.documents && compilePlainRules(shared.documents, file);
      if (fromShare) parsedBy = shared!.by;
      r = fromShare ?? (read ? parseRuleText(read.text!, file) : readRuleFile(file, result));
      const digest = fromShare ? shared!.digest : read?.digest;
      // The stat stands for the bytes this thread read; a helper may have read others.
      if (r && cached && digest !== undefined) cached.remember(file, digest, r, digest === read?.digest ? read.stamp : undefined);
    }
    if (!r) continue;
    if (r.rules.length > 0) hooks.onFile?.(r.rules, parsedBy);
    result.rules.push(...r.rules);
    result.correlations.push(...r.correlations);
    result.rejected.push(...r.rejected);
    result.warnings.push(...r.warnings);
  }
  cached?.save();
  // Correlations may refer to rules of any file loaded together.
  result.correlations = resolveCorrelations(result.rules, result.correlations, result.rejected);
  return result;
}

/**
 * A rule file's bytes and their digest, with the cache's load of them when it has one.
 * Undefined when the file cannot be read: readRuleFile reports it.
 */
function readKnown(file: string, cached: RuleCacheLoad): { digest: string; load?: LoadResult; text?: string; stamp?: string } | undefined {
  // Taken before the bytes are read: a write after it changes the stat, and the next load reads them.
  const stamp = fileStamp(file);
  const unchanged = stamp === undefined ? undefined : cached.lookupStamped(file, stamp);
  if (unchanged) return unchanged;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const digest = ruleFileDigest(bytes);
  const load = cached.lookup(file, digest, stamp);
  return load ? { digest, load } : { digest, text: textOf(bytes), stamp };
}

/**
 * Read synchronously: rule files are small and local, and fs.promises.readFile costs several
 * thread-pool round trips per file (docs/performance.md#fast-yaml-reading).
 */
function readRuleFile(file: string, result: LoadResult): LoadResult | undefined {
  let text: string;
  try {
    text = textOf(readFileSync(file));
  } catch (e) {
    result.rejected.push({ file, line: 1, column: 1, reason: `cannot read: ${(e as Error).message}` });
    return undefined;
  }
  return parseRuleText(text, file);
}

/** Response playbooks beside the rules (src/alerts/playbooks.ts): YAML, but not rules. */
export const PLAYBOOK_FOLDER = 'playbooks';

function collect(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  for (const ent of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, ent.name);
    if (ent.isDirectory()) {
      if (ent.name !== PLAYBOOK_FOLDER) out.push(...collect(full));
    }
    // A pack's manifest (src/alerts/pack.ts) sits beside its rules but is not a rule.
    else if (/\.ya?ml$/i.test(ent.name) && ent.name !== PACK_MANIFEST) out.push(full);
  }
  return out;
}

/**
 * One file, possibly several documents. `action: global` documents merge into every following
 * document (`action: reset` clears that); `action: repeat` re-emits the previous rule with the
 * document's attributes merged in (the old SigmaHQ collection format).
 */
export function loadRulesFromText(text: string, file: string): LoadResult {
  const result = parseRuleText(text, file);
  result.correlations = resolveCorrelations(result.rules, result.correlations, result.rejected);
  return result;
}

/** One file's documents, correlations not yet linked. */
function parseRuleText(text: string, file: string): LoadResult {
  return parsePlainRules(text, file) ?? parseRuleTextWithPositions(text, file);
}

/**
 * The common case, read fast (plain-yaml.ts): every document a rule that compiles, with a
 * logsource. Anything to report or out of the ordinary (action, correlation) returns undefined,
 * and the file is read again with positions.
 */
export function parsePlainRules(text: string, file: string): LoadResult | undefined {
  const documents = readPlainRules(text);
  return documents && compilePlainRules(documents, file);
}

/** The fast path's first half, which needs no compiler: the documents, or undefined unless every one is a plain rule document. */
export function readPlainRules(text: string): PlainRuleDocument[] | undefined {
  const docs = readPlainDocuments(text);
  if (!docs) return undefined;
  const out: PlainRuleDocument[] = [];
  let line = 1;
  let counted = 0;
  for (const { value, start } of docs) {
    if (!isObj(value) || 'action' in value || value.correlation !== undefined) return undefined;
    for (let i = text.indexOf('\n', counted); i !== -1 && i < start; i = text.indexOf('\n', i + 1)) line++;
    counted = start;
    out.push({ raw: value, line });
  }
  return out;
}

/** The fast path's second half: undefined when a document does not compile or has no logsource (they are reported by the reference path). */
export function compilePlainRules(documents: readonly PlainRuleDocument[], file: string): LoadResult | undefined {
  const result: LoadResult = { rules: [], correlations: [], rejected: [], warnings: [] };
  for (const { raw, line } of documents) {
    let rule: SigmaRule;
    try {
      rule = new SigmaRule(raw, file, line);
    } catch (e) {
      if (e instanceof RuleError) return undefined;
      throw e;
    }
    if (!rule.hasLogsource) return undefined;
    result.rules.push(rule);
  }
  return result;
}

/** Where a document's alias problem is: its first alias without an anchor before it, else its first alias. */
function aliasOffset(doc: Document.Parsed): number | undefined {
  let first: number | undefined;
  let unresolved: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      first ??= alias.range?.[0];
      if (alias.resolve(doc) === undefined) {
        unresolved = alias.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return unresolved ?? first;
}

/**
 * The reference path: yaml's Document model, which knows where every node is, so every problem
 * is reported at its file:line:column.
 */
export function parseRuleTextWithPositions(text: string, file: string): LoadResult {
  const result: LoadResult = { rules: [], correlations: [], rejected: [], warnings: [] };
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, schema: 'core', prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (!Array.isArray(docs)) return result; // empty stream
  let global: { obj: Obj; doc: Document } | undefined;
  let previous: { obj: Obj; docs: Document[] } | undefined;

  for (const doc of docs) {
    const start = doc.contents?.range[0] ?? doc.range[0];
    const problem = (reason: string, offset = start, obj?: Obj): RuleProblem => ({
      file,
      ...at(offset),
      reason,
      ...(typeof obj?.title === 'string' ? { title: obj.title } : {}),
      ...(typeof obj?.id === 'string' ? { id: obj.id } : {}),
    });
    const err = doc.errors[0];
    if (err) {
      result.rejected.push(problem(`YAML syntax error: ${err.message.split('\n')[0]}`, errorStart(text, err)));
      previous = undefined;
      continue;
    }
    if (doc.contents === null) continue; // empty document, e.g. a trailing `---`
    keepNonDecimalNumbersAsText(doc, text);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      // The yaml library resolves aliases only here, and throws for one whose anchor is not
      // set before it, or for aliases that expand past the bound (a "billion laughs").
      const names = { title: doc.get('title'), id: doc.get('id') };
      result.rejected.push(problem(`YAML alias error: ${(e as Error).message}`, aliasOffset(doc) ?? start, names));
      previous = undefined;
      continue;
    }
    if (!isObj(value)) {
      result.rejected.push(problem('rule document must be a mapping'));
      continue;
    }
    const { action, ...body } = value;
    let obj: Obj;
    let sources: Document[];
    if (action === 'global') {
      global = { obj: body, doc };
      continue;
    } else if (action === 'reset') {
      global = undefined;
      continue;
    } else if (action === 'repeat') {
      if (!previous) {
        result.rejected.push(problem("'action: repeat' without a previous rule in the file", start, body));
        continue;
      }
      obj = deepMerge(previous.obj, body);
      sources = [doc, ...previous.docs];
    } else if (action !== undefined) {
      result.rejected.push(problem(`unknown action '${String(action)}'`, nodeOffset([doc], ['action'], true) ?? start, body));
      continue;
    } else {
      obj = global ? deepMerge(global.obj, body) : body;
      sources = global ? [doc, global.doc] : [doc];
    }
    previous = { obj, docs: sources };
    try {
      if (obj.correlation !== undefined) {
        const correlation = new CorrelationRule(obj, file, at(start).line);
        const listed = Array.isArray((obj.correlation as Obj).rules);
        correlation.refPositions = correlation.refs.map((_, i) =>
          at(nodeOffset(sources, listed ? ['correlation', 'rules', i] : ['correlation', 'rules'], false) ?? start));
        result.correlations.push(correlation);
        continue;
      }
      const rule = new SigmaRule(obj, file, at(start).line);
      result.rules.push(rule);
      if (!rule.hasLogsource)
        result.warnings.push(problem('rule has no logsource category/product/service: it applies to every event', start, obj));
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      const offset = nodeOffset(sources, e.path, e.atKey, e.offset) ?? start;
      result.rejected.push(problem(e.message, offset, obj));
    }
  }
  return result;
}

/**
 * YAML 1.2 reads `0x1410` or `.inf` as numbers; Sigma values like GrantedAccess are matched as
 * text, so plain scalars that are numbers but not written in decimal keep their source text.
 */
function keepNonDecimalNumbersAsText(doc: Document, text: string): void {
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value !== 'number' || node.type !== Scalar.PLAIN || !node.range) return;
      const src = text.slice(node.range[0], node.range[1]);
      if (!/^[-+]?\d+(\.\d*)?([eE][-+]?\d+)?$/.test(src)) node.value = src;
    },
  });
}

function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Obj, v) : v;
  return out;
}

/** Offset of the node at `path` in the first document that has it (plus an offset inside a scalar). */
function nodeOffset(docs: Document[], path: YamlPath, atKey: boolean, inner?: number): number | undefined {
  for (const doc of docs) {
    let node: unknown = doc.contents;
    let keyNode: unknown;
    for (const seg of path) {
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) {
          node = undefined;
          break;
        }
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') node = node.items[seg];
      else {
        node = undefined;
        break;
      }
    }
    const target = (atKey && keyNode ? keyNode : node ?? keyNode) as Node | undefined;
    if (!target?.range) continue;
    let offset = target.range[0];
    if (inner !== undefined && isScalar(target)) {
      // Plain and quoted one-line scalars map condition offsets 1:1 (after the quote).
      if (target.type === Scalar.PLAIN) offset += inner;
      else if (target.type === Scalar.QUOTE_SINGLE || target.type === Scalar.QUOTE_DOUBLE) offset += inner + 1;
    }
    return offset;
  }
  return undefined;
}

/**
 * Where a YAML error begins. yaml reports an unclosed quote where the input ends (the quoted
 * scalar runs to the end of the file): the quote that opens it is what the user must fix.
 */
function errorStart(text: string, err: { code: string; message: string; pos: [number, number] }): number {
  const at = err.pos[0];
  if (err.code !== 'MISSING_CHAR' || !/quote/.test(err.message)) return at;
  let opening = at;
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      for (const t of [item.key, item.value, ...(item.start ?? [])]) {
        if (!t || (t.type !== 'single-quoted-scalar' && t.type !== 'double-quoted-scalar')) continue;
        // The unclosed scalar: it starts before the error and runs up to it.
        if (t.offset < at && t.offset + t.source.length >= at && t.offset < opening) opening = t.offset;
      }
    });
  }
  return opening;
}
