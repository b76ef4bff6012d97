/**
 * Alerts as `scan --format jsonl` writes them, read back one line at a time (never the whole
 * file): `explain` and `atomic verify` take them. A line that is not an alert is reported with
 * its line number and skipped.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { alertId } from '../alerts/alert-id.js';
import type { InvestigationContext } from '../enrich/investigation.js';
import type { Fields, Provenance } from '../events/event.js';

export interface AlertLine {
  rule: { id?: string; title: string; level?: string };
  /** The id printed in the line, checked against the one recomputed from its identity. */
  alertId: string;
  host?: string;
  time?: string;
  fields: Fields;
  source: Provenance;
  context?: InvestigationContext;
}

export interface BadAlertLine {
  line: number;
  reason: string;
}

/** Parses one line; a string is the reason it is not an alert. */
export function parseAlertLine(text: string): AlertLine | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const o = v as Record<string, unknown>;
  const rule = o?.rule as AlertLine['rule'] | undefined;
  if (typeof o !== 'object' || o === null || typeof rule?.title !== 'string') return 'not a supplywatch alert (no rule)';
  const source = o.source as Provenance | undefined;
  if (typeof source?.file !== 'string' || typeof o.fields !== 'object' || o.fields === null) return 'not a supplywatch alert (no event fields or source)';
  const host = typeof o.host === 'string' ? o.host : undefined;
  const time = typeof o.time === 'string' ? o.time : undefined;
  const id = alertId({ rule: rule.id ?? rule.title, source, time, host });
  if (o.alert_id !== undefined && o.alert_id !== id) return `alert_id ${String(o.alert_id)} does not match the line's rule and event (${id}): the line was edited`;
  return { rule, alertId: id, host, time, fields: o.fields as Fields, source, context: o.context as InvestigationContext | undefined };
}

/** Every alert of a JSONL file (or stdin for `-`), streamed. */
export async function* readAlertLines(path: string, onBad: (bad: BadAlertLine) => void, stdin: Readable = process.stdin): AsyncGenerator<AlertLine> {
  const input = path === '-' ? stdin : createReadStream(path);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n += 1;
    if (!text.trim()) continue;
    const parsed = parseAlertLine(text);
    if (typeof parsed === 'string') onBad({ line: n, reason: parsed });
    else yield parsed;
  }
}
