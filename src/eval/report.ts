/**
 * Text report of an eval run: per file the verdict of each pack and its alerts, then per pack
 * the score (malicious files detected / total, alerts on benign files) and per rule.
 * File names, notes and rule titles come from the corpus and the rules: escaped for terminals.
 */
import { terminalSafe } from '../outputs/escape.js';
import type { EvalResult, FileResult } from './run.js';

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

export function verdictOf(file: FileResult, pack: number): string {
  const alerted = file.packs[pack]!.alerts > 0;
  if (file.label === 'malicious') return alerted ? 'detected' : 'MISSED';
  return alerted ? 'FALSE POSITIVE' : 'quiet';
}

export function renderReport(result: EvalResult): string {
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
  return `${lines.join('\n')}\n`;
}

/** The summary table (Markdown, so it can be pasted into the README) and one per-rule table per pack. */
export function renderScoreTable(scores: PackScore[]): string[] {
  const out = ['| pack | malicious files detected | alerts on benign files | benign files with alerts |', '|---|---|---|---|'];
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
