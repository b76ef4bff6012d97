import { hash } from 'node:crypto';
import type { Provenance } from '../events/event.js';
import type { Alert } from './alert.js';

/**
 * An alert's id: `sw-` and 16 hex digits of the SHA-256 of the rule's id (its title when it has
 * none) and the event's identity — provenance (input file as named on the command line, format,
 * line/record/offset), time and host. The same input scanned again gives the same ids, so an id
 * names an alert across runs and tools; another rule on the same event gets another id.
 * `explain` recomputes it from a JSONL alert line (docs/investigation.md).
 */
export interface AlertIdentity {
  rule: string;
  source: Provenance;
  /** ISO 8601 time of the event, as in the JSONL line. */
  time?: string;
  host?: string;
}

export function alertId({ rule, source, time, host }: AlertIdentity): string {
  const key = JSON.stringify([rule, source.file, source.format, source.line ?? null, source.record ?? null, source.offset ?? null, time ?? null, host ?? null]);
  // One-shot hash(): no Hash object per alert (alert-heavy scans compute millions of ids).
  return 'sw-' + hash('sha256', key, 'hex').slice(0, 16);
}

/** The id of an alert as scanned (its event's time as the JSONL line writes it). */
export function idOfAlert(alert: Alert): string {
  const { event } = alert;
  return alertId({ rule: alert.rule.id ?? alert.rule.title, source: event.source, time: event.time === undefined ? undefined : new Date(event.time).toISOString(), host: event.host });
}
