/**
 * The investigation guide: for one alert (a `scan --format jsonl` line), the queries to run next
 * in the user's SIEM — the install subtree's process starts, connections, DNS queries and file
 * writes on the alert's host, ±N minutes around it. Each is a Sigma rule built in memory with the
 * alert's host and process ids, converted by the existing backends (src/backends/), so quoting
 * and escaping are the backends' own; only the time window, numbers formatted here from a
 * parsed time, is framed per target (`frameTimeWindow`).
 */
import { stringify } from 'yaml';
import { BACKENDS, ConversionError } from '../backends/index.js';
import { loadRulesFromText } from '../sigma/index.js';
import type { SigmaRule } from '../sigma/rule.js';
import type { AlertLine } from './alert-line.js';

/** Targets `explain --to` offers: those whose query frame can take an absolute time window. */
export const INVESTIGATION_TARGETS = ['spl', 'kql', 'aql', 'esql', 'sql'] as const;
export type InvestigationTarget = (typeof INVESTIGATION_TARGETS)[number];

export interface InvestigationQuery {
  title: string;
  /** The query, or why it could not be written for this target. */
  query?: string;
  error?: string;
}

interface QuerySpec {
  key: string;
  title: string;
  category: string;
  /** Process ids match the event's own process, or (process starts) also its parent. */
  withChildren: boolean;
}

const QUERIES: QuerySpec[] = [
  { key: 'processes', title: 'process starts of the install subtree', category: 'process_creation', withChildren: true },
  { key: 'connections', title: 'network connections of the install subtree', category: 'network_connection', withChildren: false },
  { key: 'dns', title: 'DNS queries of the install subtree', category: 'dns_query', withChildren: false },
  { key: 'files', title: 'file writes of the install subtree', category: 'file_event', withChildren: false },
];

/**
 * The process ids of the alert's install subtree as far as the alert knows it: the process and
 * its ancestors up to the package manager that started the install (not above it: the user's
 * shell is not part of the install). Without install context: the process and its parent. Their
 * children are found by the process-start query (ParentProcessId); run it again on the new ids
 * to go deeper.
 */
export function subtreeProcessIds(alert: AlertLine): number[] {
  const ids = new Set<number>();
  const add = (v: unknown) => {
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n === 'number' && Number.isInteger(n) && n > 0) ids.add(n);
  };
  add(alert.fields.ProcessId);
  const install = alert.context?.install?.pid;
  if (install === undefined) add(alert.fields.ParentProcessId);
  else {
    for (const p of alert.context?.ancestry ?? []) {
      add(p.pid);
      if (p.pid === install) break;
    }
    add(install);
  }
  return [...ids].sort((a, b) => a - b);
}

/** The in-memory Sigma rule of one query: host and process ids as plain values. */
export function investigationRule(spec: QuerySpec, alert: AlertLine, pids: number[]): SigmaRule {
  const detection: Record<string, unknown> = {};
  const parts: string[] = [];
  if (alert.host !== undefined) {
    detection.on_host = { Computer: alert.host };
    parts.push('on_host');
  }
  if (pids.length > 0) {
    detection.own_process = { ProcessId: pids };
    if (spec.withChildren) {
      detection.child_process = { ParentProcessId: pids };
      parts.push('(own_process or child_process)');
    } else parts.push('own_process');
  }
  if (parts.length === 0) throw new ConversionError('the alert has neither a host nor a process id to look around');
  detection.condition = parts.join(' and ');
  const doc = { title: `Investigation: ${spec.title}`, id: `investigation-${spec.key}`, status: 'experimental', logsource: { category: spec.category }, detection, level: 'informational' };
  const loaded = loadRulesFromText(stringify(doc), `<investigation ${spec.key}>`);
  if (loaded.rules.length !== 1) throw new Error(`investigation rule did not load: ${loaded.rejected.map((r) => r.reason).join('; ')}`);
  return loaded.rules[0] as SigmaRule;
}

/** The queries for one alert, per target, ±minutes around the alert's time. */
export function investigationQueries(alert: AlertLine, target: InvestigationTarget, minutes: number): InvestigationQuery[] {
  const backend = BACKENDS.get(target)!;
  const pids = subtreeProcessIds(alert);
  const time = alert.time === undefined ? undefined : Date.parse(alert.time);
  const window = time === undefined || Number.isNaN(time) ? undefined : { from: time - minutes * 60_000, to: time + minutes * 60_000 };
  return QUERIES.map((spec) => {
    try {
      const rule = investigationRule(spec, alert, pids);
      const options = { pipeline: backend.pipelines[0]!, ...(window ? { since: SENTINEL_SINCE } : {}) };
      const query = backend.rule(rule, options);
      return { title: spec.title, query: window ? frameTimeWindow(target, query, window) : query };
    } catch (e) {
      if (!(e instanceof ConversionError)) throw e;
      return { title: spec.title, error: e.message };
    }
  });
}

/**
 * The backends frame a relative window (`--since`); the alert needs an absolute one. The query
 * is rendered with a one-minute `since` and that frame, at the place each backend puts it, is
 * replaced by the absolute window. The place is checked, never searched for, so a host name that
 * contains the same text cannot be rewritten.
 */
const SENTINEL_SINCE = '1m';

export function frameTimeWindow(target: InvestigationTarget, query: string, { from, to }: { from: number; to: number }): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const replaceAt = (prefix: string, frame: string, replacement: string) => {
    if (!query.startsWith(prefix + frame)) throw new Error(`${target} query does not start with its time frame`);
    return prefix + replacement + query.slice(prefix.length + frame.length);
  };
  switch (target) {
    case 'sql':
      return replaceAt('SELECT * FROM events WHERE ', '"_time" > epoch_ms(now()) - 60000', `"_time" BETWEEN ${from} AND ${to}`);
    case 'aql':
      return replaceAt('SELECT * FROM events WHERE ', "starttime > DATEADD('minutes', -1, NOW())", `starttime >= ${from} AND starttime <= ${to}`);
    case 'spl':
      return replaceAt('', 'earliest=-1m', `earliest=${Math.floor(from / 1000)} latest=${Math.ceil(to / 1000)}`);
    case 'kql': {
      const [table, frame, ...rest] = query.split('\n');
      const m = /^\| where (\w+) > ago\(1m\)$/.exec(frame ?? '');
      if (!m) throw new Error('kql query has no time frame on its second line');
      return [table, `| where ${m[1]} between (datetime(${iso(from)}) .. datetime(${iso(to)}))`, ...rest].join('\n');
    }
    case 'esql': {
      const frame = / \| where @timestamp > now\(\) - 1 \w+$/.exec(query);
      if (!frame) throw new Error('esql query does not end with its time frame');
      return query.slice(0, frame.index) + ` | where @timestamp >= to_datetime("${iso(from)}") and @timestamp <= to_datetime("${iso(to)}")`;
    }
  }
}
