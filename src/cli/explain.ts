/**
 * `supplywatch explain RULE_ID | ALERT_ID | FILE | - [--alerts FILE|-] [--to TARGET] [--minutes N]`:
 * a rule's response playbook, or for alerts (JSONL lines of `scan --format jsonl`, from a file
 * or stdin) the alert, its rule's playbook and, with --to, the SIEM queries to run next
 * (docs/response.md, docs/investigation.md).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { loadPlaybooks, PLAYBOOK_SECTIONS, type Playbook } from '../alerts/playbooks.js';
import { UsageError } from '../errors.js';
import { terminalSafe } from '../outputs/escape.js';
import { readAlertLines, type AlertLine } from '../response/alert-line.js';
import { INVESTIGATION_TARGETS, investigationQueries, subtreeProcessIds, type InvestigationTarget } from '../response/investigation.js';

export interface ExplainOptions {
  alerts?: string;
  to?: string;
  minutes?: string;
}

const SECTION_TITLES: Record<(typeof PLAYBOOK_SECTIONS)[number], string> = {
  triage: 'Triage questions',
  containment: 'Containment',
  eradication: 'Eradication',
  recovery: 'Recovery',
  collect: 'Collect for the investigation',
};

const ALERT_ID = /^sw-[0-9a-f]{16}$/;

export async function explainCommand(subject: string, o: ExplainOptions): Promise<number> {
  const target = o.to === undefined ? undefined : (o.to as InvestigationTarget);
  if (target !== undefined && !INVESTIGATION_TARGETS.includes(target)) throw new UsageError(`--to must be one of ${INVESTIGATION_TARGETS.join(', ')}`);
  const minutes = o.minutes === undefined ? 10 : Number(o.minutes);
  if (!Number.isInteger(minutes) || minutes <= 0) throw new UsageError(`--minutes '${o.minutes}' is not a positive whole number`);

  const { byRule, problems } = loadPlaybooks();
  for (const p of problems) process.stderr.write(`supplywatch: playbook ${terminalSafe(`${p.file}:${p.line}:${p.column}: ${p.reason}`)}\n`);
  const out = (text: string) => process.stdout.write(text);

  const isAlertInput = subject === '-' || (existsSync(subject) && !ALERT_ID.test(subject));
  if (!isAlertInput && !ALERT_ID.test(subject)) {
    if (target) throw new UsageError('--to needs an alert (a JSONL line of scan --format jsonl, or an alert id with --alerts), not a rule id');
    const playbook = byRule.get(subject);
    if (!playbook) throw new UsageError(`no playbook for rule '${subject}' (and it is neither an alert id sw-… nor a file of alerts)`);
    out(playbookText(playbook));
    return 0;
  }

  const file = isAlertInput ? subject : (o.alerts ?? '-');
  if (file !== '-') {
    try {
      accessSync(file, constants.R_OK);
    } catch (e) {
      throw new UsageError(`cannot read the alerts ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const wanted = isAlertInput ? undefined : subject;
  let shown = 0;
  for await (const alert of readAlertLines(file, (bad) => process.stderr.write(`supplywatch: ${terminalSafe(`${file === '-' ? 'stdin' : file}:${bad.line}: ${bad.reason}`)}\n`))) {
    if (wanted !== undefined && alert.alertId !== wanted) continue;
    if (shown > 0) out('\n');
    out(alertText(alert, byRule.get(alert.rule.id ?? '')));
    if (target) out(queriesText(alert, target, minutes));
    shown += 1;
  }
  if (shown === 0) throw new UsageError(wanted ? `no alert ${wanted} in ${file === '-' ? 'stdin' : file}` : `no alert in ${file === '-' ? 'stdin' : file}`);
  return 0;
}

function playbookText(p: Playbook): string {
  let text = `PLAYBOOK for rule ${p.rule}\n${terminalSafe(p.summary)}\n`;
  for (const section of PLAYBOOK_SECTIONS) {
    if (p.steps[section].length === 0) continue;
    text += `\n${SECTION_TITLES[section]}\n`;
    p.steps[section].forEach((step, i) => (text += `  ${i + 1}. ${terminalSafe(step)}\n`));
  }
  return text;
}

function alertText(a: AlertLine, playbook: Playbook | undefined): string {
  const where = a.source.line !== undefined ? `:${a.source.line}` : a.source.record !== undefined ? `#${a.source.record}` : '';
  let text = `ALERT ${a.alertId}  ${terminalSafe((a.rule.level ?? 'unknown').toUpperCase())}  ${terminalSafe(a.rule.title)}\n`;
  text += `  rule ${terminalSafe(a.rule.id ?? '-')}  host ${terminalSafe(a.host ?? '-')}  time ${terminalSafe(a.time ?? '-')}  source ${terminalSafe(a.source.file + where)}\n`;
  for (const p of a.context?.ancestry ?? []) text += `  ancestry ${terminalSafe(p.commandLine ?? p.image ?? '?')}${p.pid === undefined ? '' : ` [${p.pid}]`}\n`;
  text += '\n' + (playbook ? playbookText(playbook) : `(no playbook for rule ${terminalSafe(a.rule.id ?? a.rule.title)})\n`);
  return text;
}

function queriesText(a: AlertLine, target: InvestigationTarget, minutes: number): string {
  const pids = subtreeProcessIds(a);
  let text = `\nINVESTIGATION (${target}): ±${minutes} minutes around ${terminalSafe(a.time ?? 'the alert (no time: no window)')} on host ${terminalSafe(a.host ?? '(any: the alert has none)')}, process ids ${pids.join(', ') || '(none known)'}\n`;
  for (const q of investigationQueries(a, target, minutes)) {
    text += `\n# ${q.title}\n`;
    // Line by line: the query's own newlines stay, a control character inside a value is shown escaped.
    text += q.query !== undefined ? q.query.split('\n').map((l) => terminalSafe(l) + '\n').join('') : `(not expressible in ${target}: ${terminalSafe(q.error ?? '')})\n`;
  }
  return text;
}
