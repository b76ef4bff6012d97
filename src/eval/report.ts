/**
 * Text report of an eval run: per file the verdict of each pack and its alerts, then per pack
 * the score (malicious files detected / total, alerts on benign files) and per rule, then the
 * scores by level — medium or above (what a team acts on) apart from low (hunting signals) —
 * per part of the corpus (design / held-out), per OS and per telemetry format, and every alert
 * raised on a benign file.
 * File names, notes and rule titles come from the corpus and the rules: escaped for terminals.
 */
import { terminalSafe } from '../outputs/escape.js';
import type { LabelledFile } from './labels.js';
import type { EvalResult, FileResult, RuleHits } from './run.js';

export interface PackScore {
  pack: string;
  maliciousDetected: number;
  maliciousTotal: number;
  benignAlerts: number;
  benignFilesAlerted: number;
  benignTotal: number;
  rules: Array<{ rule: string; title: string; level?: string; maliciousFiles: number; maliciousAlerts: number; benignAlerts: number }>;
}

export function score(result: EvalResult): PackScore[] {
  return result.packs.map((pack, p) => {
    const s: PackScore = { pack, maliciousDetected: 0, maliciousTotal: 0, benignAlerts: 0, benignFilesAlerted: 0, benignTotal: 0, rules: [] };
    for (const file of result.files) {
      const slot = file.packs[p]!;
      if (file.label === 'malicious') {
        s.maliciousTotal += 1;
        if (slot.alerts > 0) s.maliciousDetected += 1;
      } else {
        s.benignTotal += 1;
        s.benignAlerts += slot.alerts;
        if (slot.alerts > 0) s.benignFilesAlerted += 1;
      }
      for (const hit of slot.rules) {
        let row = s.rules.find((r) => r.rule === hit.rule);
        if (!row) s.rules.push((row = { rule: hit.rule, title: hit.title, level: hit.level, maliciousFiles: 0, maliciousAlerts: 0, benignAlerts: 0 }));
        if (file.label === 'malicious') {
          row.maliciousFiles += 1;
          row.maliciousAlerts += hit.alerts;
        } else row.benignAlerts += hit.alerts;
      }
    }
    return s;
  });
}

/** Per file and pack: medium+ alerts decide; a file with low alerts only says so. */
export function verdictOf(file: FileResult, pack: number): string {
  const rules = file.packs[pack]!.rules;
  const actionable = count(rules, true) > 0;
  const low = count(rules, false) > 0;
  if (file.label === 'malicious') return actionable ? 'detected' : low ? 'LOW ONLY' : 'MISSED';
  return actionable ? 'FALSE POSITIVE' : low ? 'low (hunting)' : 'quiet';
}

/** Levels a team acts on; everything below (low, informational) is a hunting signal. */
const ACTIONABLE = new Set(['medium', 'high', 'critical']);
export const isActionable = (level: string | undefined): boolean => level !== undefined && ACTIONABLE.has(level.toLowerCase());

/** Files under `holdout/` are the held-out part (judged, never used to write rules). */
export const partOf = (file: string): 'design' | 'held-out' => (file.startsWith('holdout/') ? 'held-out' : 'design');

/** Scores of one pack over one group of files, with medium+ and low apart. */
export interface LevelScore {
  group: string;
  pack: string;
  maliciousTotal: number;
  /** Malicious files with an alert at medium or above. */
  detectedActionable: number;
  /** Malicious files whose alerts are all below medium. */
  detectedLowOnly: number;
  benignTotal: number;
  benignFilesActionable: number;
  benignAlertsActionable: number;
  /** Benign files whose alerts are all below medium. */
  benignFilesLowOnly: number;
  benignAlertsLow: number;
}

const count = (rules: RuleHits[], actionable: boolean) => rules.filter((r) => isActionable(r.level) === actionable).reduce((n, r) => n + r.alerts, 0);

export function levelScores(result: EvalResult, groupOf: (file: FileResult) => string): LevelScore[] {
  const rows = new Map<string, LevelScore>();
  for (const file of result.files) {
    const group = groupOf(file);
    file.packs.forEach((slot, p) => {
      const pack = result.packs[p]!;
      const key = `${group}\u0000${p}`;
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { group, pack, maliciousTotal: 0, detectedActionable: 0, detectedLowOnly: 0, benignTotal: 0, benignFilesActionable: 0, benignAlertsActionable: 0, benignFilesLowOnly: 0, benignAlertsLow: 0 }));
      const high = count(slot.rules, true);
      const low = count(slot.rules, false);
      if (file.label === 'malicious') {
        row.maliciousTotal += 1;
        if (high > 0) row.detectedActionable += 1;
        else if (low > 0) row.detectedLowOnly += 1;
      } else {
        row.benignTotal += 1;
        row.benignAlertsActionable += high;
        row.benignAlertsLow += low;
        if (high > 0) row.benignFilesActionable += 1;
        else if (low > 0) row.benignFilesLowOnly += 1;
      }
    });
  }
  return [...rows.values()].sort((a, b) => a.group.localeCompare(b.group) || result.packs.indexOf(a.pack) - result.packs.indexOf(b.pack));
}

/** One Markdown table of level scores; `groupTitle` names the grouping column. */
export function renderLevelTable(rows: LevelScore[], groupTitle: string): string[] {
  const out = [
    `| ${groupTitle} | pack | malicious detected at medium+ | malicious seen at low only | benign files alerted at medium+ | medium+ alerts on benign | benign files with low alerts only | low alerts on benign |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const mal = r.maliciousTotal === 0 ? '–' : `${r.detectedActionable} / ${r.maliciousTotal}`;
    const ben = r.benignTotal === 0 ? '–' : `${r.benignFilesActionable} / ${r.benignTotal}`;
    out.push(`| ${cell(r.group)} | ${cell(r.pack)} | ${mal} | ${r.maliciousTotal === 0 ? '–' : r.detectedLowOnly} | ${ben} | ${r.benignAlertsActionable} | ${r.benignTotal === 0 ? '–' : r.benignFilesLowOnly} | ${r.benignAlertsLow} |`);
  }
  return out;
}

/**
 * The by-level section: per part, per OS (from labels.yaml's `os`), per format (the reader that
 * read the file), and each benign file's alerts by rule and level. `labels` gives the OS; without
 * them the OS column says `unknown`.
 */
export function renderLevelReport(result: EvalResult, labels: readonly LabelledFile[] = []): string[] {
  const osOf = new Map(labels.map((l) => [l.file, l.os]));
  const out = ['', '## By level: medium or above (act) and low (hunting)', ''];
  out.push(...renderLevelTable(levelScores(result, (f) => partOf(f.file)), 'part'), '');
  out.push(...renderLevelTable(levelScores(result, (f) => `${partOf(f.file)} · ${osOf.get(f.file) ?? 'unknown'}`), 'part · OS'), '');
  out.push(...renderLevelTable(levelScores(result, (f) => `${partOf(f.file)} · ${f.format ?? 'unread'}`), 'part · format'), '');
  out.push('Alerts on benign files (rule, level, count):', '');
  let any = false;
  for (const file of result.files.filter((f) => f.label === 'benign')) {
    file.packs.forEach((slot, p) => {
      if (slot.rules.length === 0) return;
      any = true;
      const hits = slot.rules.map((r) => `${terminalSafe(r.title)} [${terminalSafe(r.level ?? '?')}]${r.alerts > 1 ? ` ×${r.alerts}` : ''}`).join('; ');
      out.push(`- ${terminalSafe(file.file)} (${terminalSafe(result.packs[p]!)}): ${hits}`);
    });
  }
  if (!any) out.push('- none');
  return out;
}

export function renderReport(result: EvalResult, labels: readonly LabelledFile[] = []): string {
  const lines: string[] = [];
  const width = Math.max(...result.packs.map((p) => p.length), 4);
  for (const file of result.files) {
    lines.push(`${file.label.padEnd(9)} ${terminalSafe(file.file)}  (${file.events} events${file.format ? `, ${file.format}` : ''}${file.bad.length ? `, ${file.bad.length} bad records` : ''})`);
    if (file.notes) lines.push(`          ${terminalSafe(oneLine(file.notes))}`);
    file.packs.forEach((slot, p) => {
      const rules = slot.rules.map((r) => `${terminalSafe(r.title)}${r.alerts > 1 ? ` ×${r.alerts}` : ''}`).join('; ');
      lines.push(`  ${terminalSafe(slot.pack).padEnd(width)}  ${verdictOf(file, p).padEnd(14)} ${String(slot.alerts).padStart(3)} alert${slot.alerts === 1 ? ' ' : 's'}${rules ? `  ${rules}` : ''}`);
    });
  }
  for (const m of result.missing) lines.push(`missing   ${terminalSafe(m.file)} (labels.yaml line ${m.line}): no such file`);
  for (const u of result.unlabelled) lines.push(`unlabelled ${terminalSafe(u)}: not in labels.yaml, not evaluated`);
  lines.push('');
  lines.push(...renderScoreTable(score(result)));
  lines.push(...renderLevelReport(result, labels));
  return `${lines.join('\n')}\n`;
}

/** The summary table (Markdown, so it can be pasted into the README) and one per-rule table per pack. */
export function renderScoreTable(scores: PackScore[]): string[] {
  const out = ['| pack | malicious files detected (any level) | alerts on benign files (any level) | benign files with alerts (any level) |', '|---|---|---|---|'];
  for (const s of scores) {
    out.push(`| ${cell(s.pack)} | ${s.maliciousDetected} / ${s.maliciousTotal} | ${s.benignAlerts} | ${s.benignFilesAlerted} / ${s.benignTotal} |`);
  }
  for (const s of scores) {
    out.push('', `pack ${terminalSafe(s.pack)}, per rule:`, '', '| rule | level | malicious files | alerts on malicious | alerts on benign |', '|---|---|---|---|---|');
    for (const r of s.rules) out.push(`| ${cell(r.title)} | ${cell(r.level ?? '')} | ${r.maliciousFiles} | ${r.maliciousAlerts} | ${r.benignAlerts} |`);
    if (s.rules.length === 0) out.push('| (no alerts) | | 0 | 0 | 0 |');
  }
  return out;
}

function cell(text: string): string {
  return terminalSafe(oneLine(text)).replace(/\|/g, '\\|');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
