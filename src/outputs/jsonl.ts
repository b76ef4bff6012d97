import type { Alert } from '../alerts/alert.js';
import { serializeEvent } from '../events/event.js';
import { safeJson } from './escape.js';
import type { AlertFormatter, FormatterOptions } from './formatter.js';
import type { EventRef } from '../sigma/index.js';

/** One JSON object per alert: rule, pack output columns, the event as `dump` prints it. */
export function jsonlFormatter({ columns }: FormatterOptions): AlertFormatter {
  return {
    header: '',
    format(alert: Alert) {
      const { rule } = alert;
      const row: Record<string, string | null> = {};
      for (const c of columns) row[c.name] = c.get(alert.event, alert.label);
      const record = {
        rule: { id: rule.id, title: rule.title, level: rule.level, tags: rule.tags, file: rule.file },
        pack: alert.pack.name,
        label: alert.label || undefined,
        columns: row,
        ...serializeEvent(alert.event),
        ...(alert.correlated ? { correlated: alert.correlated.map(correlatedJson) } : {}),
        ...(alert.context ? { context: alert.context } : {}),
      };
      return safeJson(record) + '\n';
    },
  };
}

/** A correlated event: its rule, time, host and provenance (the same shape as an alert's). */
function correlatedJson(ref: EventRef) {
  return { rule: ref.rule, title: ref.title, time: ref.time === undefined ? undefined : new Date(ref.time).toISOString(), host: ref.host, source: ref.source };
}
