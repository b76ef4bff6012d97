/**
 * Response playbooks: what an analyst does next with a rule's alert. Data beside the rules, one
 * YAML file per rule named by its id (`rules/<technique>/playbooks/<rule-id>.yml`), plus the
 * folder's `common.yml`, whose steps follow every playbook's own (the cache purges and token
 * rotations every install compromise needs). Validated with file:line:column like pack.yml and
 * supplywatch.yaml. The folder is not a pack (no pack.yml), and its files are not Sigma rules.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { PLAYBOOK_FOLDER, silentRules, type RuleProblem } from '../sigma/index.js';
import { textOf } from '../sources/utf16.js';
import type { Pack } from './pack.js';
import { BUILTIN_RULES_DIR } from './pack-names.js';

export const PLAYBOOK_SECTIONS = ['triage', 'containment', 'eradication', 'recovery', 'collect'] as const;
export type PlaybookSection = (typeof PLAYBOOK_SECTIONS)[number];

export interface Playbook {
  rule: string;
  /** One line: what the alert means and the first move (the table's pointer). */
  summary: string;
  /** Each section: the rule's own steps, then the folder's common steps. */
  steps: Record<PlaybookSection, string[]>;
  file: string;
}

export interface PlaybookLoad {
  byRule: Map<string, Playbook>;
  problems: RuleProblem[];
}

const COMMON_FILE = 'common.yml';

/** Every `playbooks/` folder under `dir` (the built-in rules by default), loaded and validated. */
export function loadPlaybooks(dir = BUILTIN_RULES_DIR): PlaybookLoad {
  const out: PlaybookLoad = { byRule: new Map(), problems: [] };
  for (const folder of playbookFolders(dir)) loadFolder(folder, out);
  return out;
}

function playbookFolders(dir: string): string[] {
  const found: string[] = [];
  for (const entry of safeReaddir(dir)) {
    const path = join(dir, entry);
    if (!statSync(path).isDirectory()) continue;
    if (entry === PLAYBOOK_FOLDER) found.push(path);
    else found.push(...playbookFolders(path));
  }
  return found;
}

function loadFolder(folder: string, out: PlaybookLoad): void {
  const commonFile = join(folder, COMMON_FILE);
  const common = existsSync(commonFile) ? parsePlaybookFile(commonFile, out.problems, 'common') : undefined;
  for (const entry of safeReaddir(folder)) {
    if (entry === COMMON_FILE || !/\.ya?ml$/i.test(entry)) continue;
    const file = join(folder, entry);
    const own = parsePlaybookFile(file, out.problems, 'rule');
    if (!own) continue;
    const steps = Object.fromEntries(PLAYBOOK_SECTIONS.map((s) => [s, [...own.steps[s], ...(common?.steps[s] ?? [])]])) as Playbook['steps'];
    out.byRule.set(own.rule, { rule: own.rule, summary: own.summary, steps, file });
  }
}

/**
 * One file. A rule's playbook needs `rule` (equal to the file name without .yml), `summary` and
 * its own `triage`; `common.yml` has only sections. Unknown keys are errors.
 */
export function parsePlaybookFile(file: string, problems: RuleProblem[], kind: 'rule' | 'common'): Playbook | undefined {
  const before = problems.length;
  let source: string;
  try {
    source = textOf(readFileSync(file));
  } catch (e) {
    problems.push({ file, line: 0, column: 0, reason: `cannot read: ${(e as Error).message}` });
    return undefined;
  }
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, uniqueKeys: true });
  const at = (node: Node | null | undefined, reason: string) => {
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    problems.push({ file, line: pos.line, column: pos.col, reason });
  };
  for (const err of doc.errors) problems.push({ file, line: err.linePos?.[0].line ?? 1, column: err.linePos?.[0].col ?? 1, reason: err.message.split('\n')[0]! });
  if (problems.length > before) return undefined;
  const root = doc.contents;
  if (!isMap(root)) {
    at(root, 'a playbook must be a mapping of rule, summary and sections');
    return undefined;
  }
  const allowed = kind === 'rule' ? ['rule', 'summary', ...PLAYBOOK_SECTIONS] : [...PLAYBOOK_SECTIONS];
  for (const pair of root.items) {
    const key = pair.key as Node;
    const name = isScalar(key) ? String(key.value) : '';
    if (!allowed.includes(name)) at(key, `unknown key '${name}' (expected ${allowed.join(', ')})`);
  }
  const text = (key: string): string | undefined => {
    const node = root.get(key, true) as Node | undefined;
    if (isScalar(node) && typeof node.value === 'string' && node.value.trim()) return node.value.trim();
    at(node ?? root, `\`${key}\` must be a non-empty string`);
    return undefined;
  };
  const steps = {} as Playbook['steps'];
  for (const section of PLAYBOOK_SECTIONS) {
    const node = root.get(section, true) as Node | undefined;
    steps[section] = [];
    if (node === undefined) {
      if (kind === 'rule' && section === 'triage') at(root, 'a rule playbook needs its own `triage` questions');
      continue;
    }
    if (!isSeq(node) || node.items.length === 0) {
      at(node, `\`${section}\` must be a non-empty list of steps`);
      continue;
    }
    for (const item of node.items as Node[]) {
      if (isScalar(item) && typeof item.value === 'string' && item.value.trim()) steps[section].push(item.value.trim());
      else at(item, `each step of \`${section}\` must be a non-empty string`);
    }
  }
  let rule = '';
  let summary = '';
  if (kind === 'rule') {
    rule = text('rule') ?? '';
    summary = text('summary') ?? '';
    const expected = basename(file).replace(/\.ya?ml$/i, '');
    if (rule && rule !== expected) at(root.get('rule', true) as Node, `\`rule\` is '${rule}' but the file is named '${expected}': name the file by the rule id`);
  }
  return problems.length > before ? undefined : { rule, summary, steps, file };
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** The rules of a pack that can alert: its rules but the correlation-only bases, and its correlations. */
export function alertingRules(pack: Pack): Array<Pack['rules'][number] | NonNullable<Pack['correlations']>[number]> {
  const silent = silentRules(pack.correlations ?? []);
  return [...pack.rules.filter((r) => !silent.has(r)), ...(pack.correlations ?? [])];
}

let builtin: Map<string, Playbook> | undefined;

/**
 * The built-in playbooks by rule id, loaded once per process (formatters on worker threads call
 * it too). A file with problems is left out here; `supplywatch explain` and the tests report them.
 */
export function builtinPlaybook(ruleId: string | undefined): Playbook | undefined {
  if (ruleId === undefined) return undefined;
  // A playbook's file is named by its rule's id (parsePlaybookFile rejects any other): a rule
  // with none parses nothing. Parsing them all took a scanning thread ~90 ms at its first alert
  // (docs/performance.md#playbooks-parsed-only-for-rules-that-have-one).
  named ??= new Set(playbookFolders(BUILTIN_RULES_DIR).flatMap((folder) => safeReaddir(folder).map((entry) => entry.replace(/\.ya?ml$/i, ''))));
  if (!named.has(ruleId)) return undefined;
  builtin ??= loadPlaybooks().byRule;
  return builtin.get(ruleId);
}

let named: Set<string> | undefined;

/** The pointer printed with an alert: the command that shows the playbook, and its summary. */
export function playbookPointer(ruleId: string | undefined): { rule: string; summary: string; explain: string } | undefined {
  const playbook = builtinPlaybook(ruleId);
  return playbook && { rule: playbook.rule, summary: playbook.summary, explain: `supplywatch explain ${playbook.rule}` };
}
