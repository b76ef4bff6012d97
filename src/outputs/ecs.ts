import type { Alert } from '../alerts/alert.js';
import { columnValues, eventId, severity } from './alert-fields.js';
import { safeJson } from './escape.js';
import type { AlertFormatter, FormatterOptions } from './formatter.js';
import { PRODUCT, PRODUCT_VERSION } from './product.js';

/** The Elastic Common Schema version the documents follow. */
const ECS_VERSION = '8.11.0';

// Maps: a tag, a level and an event's category are the rules' and the inputs' text.
/** ATT&CK tactics by the names Sigma tags use (`attack.initial-access`). */
const TACTICS = new Map(Object.entries({
  reconnaissance: 'TA0043', 'resource-development': 'TA0042', 'initial-access': 'TA0001', execution: 'TA0002', persistence: 'TA0003',
  'privilege-escalation': 'TA0004', 'defense-evasion': 'TA0005', 'credential-access': 'TA0006', discovery: 'TA0007',
  'lateral-movement': 'TA0008', collection: 'TA0009', 'command-and-control': 'TA0011', exfiltration: 'TA0010', impact: 'TA0040',
}));
/** Elastic's risk scores for its four severities, with informational below low. */
const RISK = new Map([['informational', 1], ['low', 21], ['medium', 47], ['high', 73], ['critical', 99]]);
const CATEGORY = new Map([['process_creation', 'process'], ['file_event', 'file'], ['network_connection', 'network'], ['dns_query', 'network'], ['registry_set', 'registry']]);

/**
 * Elastic Common Schema NDJSON, one document per alert: `event.kind: alert`, the rule as
 * `rule.*`, its ATT&CK tags as `threat.*`, and the event's fields under their ECS names
 * (process.*, file.path, destination.*, dns.question.name, host.name, user.name). What ECS
 * has no name for (the pack's columns, the label, the level) is under `supplywatch.*`.
 */
export function ecsFormatter({ columns }: FormatterOptions): AlertFormatter {
  return {
    header: '',
    format(alert: Alert) {
      const { rule, event } = alert;
      const f = event.fields;
      const text = (name: string) => {
        const v = f[name];
        return v === undefined || v === null ? undefined : typeof v === 'object' ? JSON.stringify(v) : String(v);
      };
      const number = (name: string) => {
        const v = Number(f[name]);
        return f[name] === undefined || f[name] === null || !Number.isFinite(v) ? undefined : v;
      };
      const doc = {
        '@timestamp': event.time === undefined ? undefined : new Date(event.time).toISOString(),
        ecs: { version: ECS_VERSION },
        event: {
          kind: 'alert',
          category: categoryOf(event.category),
          severity: severity(rule.level),
          risk_score: RISK.get(rule.level ?? '') ?? 47,
          module: PRODUCT,
          dataset: `${PRODUCT}.alert`,
        },
        rule: { id: eventId(rule), uuid: rule.id, name: rule.title, description: rule.description, ruleset: alert.pack.name, category: rule.logsource.category, version: PRODUCT_VERSION },
        threat: threat(rule.tags),
        host: event.host === undefined ? undefined : { name: event.host },
        user: event.user === undefined ? undefined : { name: event.user },
        process: event.category === 'process_creation' || text('Image') !== undefined ? {
          executable: text('Image'),
          command_line: text('CommandLine'),
          pid: number('ProcessId'),
          working_directory: text('CurrentDirectory'),
          parent: text('ParentImage') ?? text('ParentCommandLine') ? { executable: text('ParentImage'), command_line: text('ParentCommandLine'), pid: number('ParentProcessId') } : undefined,
        } : undefined,
        file: text('TargetFilename') === undefined ? undefined : { path: text('TargetFilename') },
        destination: text('DestinationHostname') ?? text('DestinationIp') ? { domain: text('DestinationHostname'), ip: text('DestinationIp'), port: number('DestinationPort') } : undefined,
        dns: text('QueryName') === undefined ? undefined : { question: { name: text('QueryName') } },
        log: { file: { path: event.source.file } },
        supplywatch: { level: rule.level, label: alert.label || undefined, columns: Object.fromEntries(columnValues(alert, columns)), line: event.source.line, record: event.source.record },
      };
      return safeJson(doc) + '\n';
    },
  };
}

/** Sigma's ATT&CK tags as ECS threat: `attack.t1195.001` a sub-technique of T1195, `attack.initial-access` a tactic. */
function threat(tags: readonly string[]) {
  const techniques = new Map<string, Set<string>>();
  const tactics: Array<{ id: string; name: string }> = [];
  for (const tag of tags) {
    const m = /^attack\.(t\d{4})(?:\.(\d{3}))?$/i.exec(tag);
    if (m) {
      const id = m[1]!.toUpperCase();
      const subs = techniques.get(id) ?? new Set<string>();
      if (m[2]) subs.add(`${id}.${m[2]}`);
      techniques.set(id, subs);
      continue;
    }
    const tactic = /^attack\.([a-z-]+)$/.exec(tag)?.[1];
    const tacticId = tactic === undefined ? undefined : TACTICS.get(tactic);
    if (tactic && tacticId) tactics.push({ id: tacticId, name: tactic.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ').replace('And', 'and') });
  }
  if (techniques.size === 0 && tactics.length === 0) return undefined;
  return {
    framework: 'MITRE ATT&CK',
    technique: techniques.size === 0 ? undefined : [...techniques].map(([id, subs]) => ({ id, reference: `https://attack.mitre.org/techniques/${id}/`, subtechnique: subs.size === 0 ? undefined : [...subs].map((s) => ({ id: s, reference: `https://attack.mitre.org/techniques/${s.replace('.', '/')}/` })) })),
    tactic: tactics.length === 0 ? undefined : tactics.map((t) => ({ ...t, reference: `https://attack.mitre.org/tactics/${t.id}/` })),
  };
}

/** ECS's `event.category` of an alert's event, from its Sigma category. */
function categoryOf(category: string | undefined): string[] | undefined {
  const ecs = category === undefined ? undefined : CATEGORY.get(category);
  return ecs === undefined ? undefined : [ecs];
}
