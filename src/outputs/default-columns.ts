import { compileColumn, type Column } from '../alerts/columns.js';
import type { Alert } from '../alerts/alert.js';
import type { InvestigationContext } from '../enrich/investigation.js';
import type { EventRef } from '../sigma/index.js';

/** Columns for rule sets that do not define their own (generic Sigma packs). */
const SPECS: Array<[string, string]> = [
  ['Time', 'time:yyyy-MM-dd HH:mm:ss'],
  ['Host', 'host'],
  ['User', 'user'],
  ['Image', 'field:Image'],
  ['CommandLine', 'field:CommandLine'],
  ['ParentImage', 'field:ParentImage'],
  ['TargetFilename', 'field:TargetFilename'],
  ['DestinationHostname', 'field:DestinationHostname'],
  ['DestinationIp', 'field:DestinationIp'],
];

export const DEFAULT_COLUMNS: Column[] = SPECS.map(([name, spec]) => compileColumn(name, spec) as Column);

/** Rule identity columns prepended to the default columns (a pack's own columns replace all). */
export function ruleColumns(alert: Alert): Array<string | null> {
  return [alert.rule.id ?? null, alert.rule.title, alert.rule.level ?? null];
}

export function sourceText(alert: Alert): string {
  return provenanceText(alert.event.source);
}

/** `time  rule title  file:line` of an event a correlation alert names. */
export function correlatedText(ref: EventRef): string {
  const time = ref.time === undefined ? '-' : new Date(ref.time).toISOString().replace('T', ' ').slice(0, 23);
  return `${time}  ${ref.title}  ${provenanceText(ref.source)}`;
}

/**
 * The investigation context as table lines: the ancestry as an indented tree (install root at
 * the top, the alerting process at the bottom), then the install's related activity.
 */
export function contextLines(context: InvestigationContext): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  const chain = [...context.ancestry].reverse();
  chain.forEach((p, depth) => {
    const pid = p.pid === undefined ? '' : ` [${p.pid}]`;
    lines.push([depth === 0 ? 'ancestry' : '', `${'  '.repeat(depth)}${depth === 0 ? '' : '└ '}${p.commandLine ?? p.image ?? '?'}${pid}`]);
  });
  context.related.forEach((a, i) => {
    const time = a.time === undefined ? '-' : a.time.replace('T', ' ').slice(0, 23);
    const verb = a.category === 'network_connection' ? '→' : 'wrote';
    lines.push([i === 0 ? 'related' : '', `${time}  ${a.image ?? '?'} ${verb} ${a.target ?? '?'}  ${a.source}`]);
  });
  return lines;
}

function provenanceText(s: Alert['event']['source']): string {
  const where = s.line !== undefined ? `:${s.line}` : s.record !== undefined ? `#${s.record}` : s.offset !== undefined ? `@${s.offset}` : '';
  return `${s.file}${where}`;
}
