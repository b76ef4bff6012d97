import type { Alert } from '../alerts/alert.js';
import { terminalSafe } from './escape.js';
import type { AlertFormatter, OutputDocument } from './formatter.js';

/**
 * A Markdown report for a CI job summary ($GITHUB_STEP_SUMMARY): totals by level and by rule,
 * then the alerts in output order, as long as the whole stays under SUMMARY_BUDGET (GitHub takes
 * at most 1 MiB per step and shows nothing of a larger one). Each alert is formatted (by any
 * thread) as a compact JSON row; the document, on the main thread, counts and keeps the rows
 * that fit, and writes the report at the end.
 */
export const SUMMARY_BUDGET = 1000 * 1024;
/** Rules listed in the totals; the rest are summed in one line (a budget for the alert rows). */
const RULES_LISTED = 100;
const LEVELS = ['critical', 'high', 'medium', 'low', 'informational', 'unknown'];

type Row = [level: string, rule: string, title: string, time: string, host: string, what: string];

export function summaryFormatter(): AlertFormatter {
  return {
    header: '',
    format(alert: Alert) {
      const { rule, event } = alert;
      const f = event.fields;
      const what = f.CommandLine ?? f.Image ?? f.TargetFilename ?? f.DestinationHostname ?? '';
      const row: Row = [rule.level ?? 'unknown', rule.id ?? rule.title, rule.title, event.time === undefined ? '' : new Date(event.time).toISOString(), event.host ?? '', typeof what === 'string' ? what : JSON.stringify(what)];
      return JSON.stringify(row) + '\n';
    },
    document: summaryDocument,
  };
}

function summaryDocument(): OutputDocument {
  const byLevel = new Map<string, number>();
  const byRule = new Map<string, { title: string; level: string; count: number }>();
  const rows: string[] = [];
  let rowBytes = 0;
  let total = 0;
  return {
    add(text) {
      const [level, rule, title, time, host, what] = JSON.parse(text) as Row;
      total += 1;
      byLevel.set(level, (byLevel.get(level) ?? 0) + 1);
      const entry = byRule.get(rule);
      if (entry) entry.count += 1;
      else byRule.set(rule, { title, level, count: 1 });
      // Half the budget for the rows: the totals (at most RULES_LISTED rules) take far less.
      const line = `| ${cell(level)} | ${cell(title)} | ${cell(time)} | ${cell(host)} | ${cell(what, 300)} |\n`;
      const size = Buffer.byteLength(line);
      if (rowBytes + size <= SUMMARY_BUDGET / 2) {
        rows.push(line);
        rowBytes += size;
      }
      return '';
    },
    end() {
      let md = `## supplywatch: ${total} alert${total === 1 ? '' : 's'}\n\n`;
      if (total === 0) return md + 'No rule matched.\n';
      md += '| level | alerts |\n|---|---:|\n';
      for (const level of LEVELS) if (byLevel.has(level)) md += `| ${level} | ${byLevel.get(level)} |\n`;
      for (const [level, count] of byLevel) if (!LEVELS.includes(level)) md += `| ${cell(level)} | ${count} |\n`;
      const rules = [...byRule.entries()].sort((a, b) => b[1].count - a[1].count);
      md += '\n| rule | level | alerts |\n|---|---|---:|\n';
      for (const [id, r] of rules.slice(0, RULES_LISTED)) md += `| ${cell(r.title)} (\`${cell(id)}\`) | ${cell(r.level)} | ${r.count} |\n`;
      if (rules.length > RULES_LISTED) md += `| ${rules.length - RULES_LISTED} more rules | | ${rules.slice(RULES_LISTED).reduce((n, [, r]) => n + r.count, 0)} |\n`;
      md += '\n| level | rule | time | host | command line, image or file |\n|---|---|---|---|---|\n' + rows.join('');
      if (rows.length < total) md += `\n${total - rows.length} more alert${total - rows.length === 1 ? '' : 's'} not listed here (the summary stays under GitHub's 1 MiB): see the SARIF or JSONL output.\n`;
      return md;
    },
  };
}

/**
 * A table cell shown as text: controls and line breaks visible, then every character Markdown
 * or HTML would act on as a numeric entity (`<script>` shows as text, `|` does not end the cell).
 */
function cell(value: string, max = 200): string {
  const text = value.length > max ? `${value.slice(0, max)}…` : value;
  return terminalSafe(text).replace(/[\\`*_{}[\]()#+!|<>&~"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
