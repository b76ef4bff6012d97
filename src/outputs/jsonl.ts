import type { Alert } from '../alerts/alert.js';
import { serializeEvent } from '../events/event.js';
import { safeJson } from './escape.js';
import { BufferedOut } from './buffered.js';
import type { AlertWriter, WriterOptions } from './writer.js';

/** One JSON object per alert: rule, pack output columns, the event as `dump` prints it. */
export function jsonlWriter({ out: stream, columns }: WriterOptions): AlertWriter {
  const out = new BufferedOut(stream);
  return {
    write(alert: Alert) {
      const { rule } = alert;
      const row: Record<string, string | null> = {};
      for (const c of columns) row[c.name] = c.get(alert.event, alert.label);
      const record = {
        rule: { id: rule.id, title: rule.title, level: rule.level, tags: rule.tags, file: rule.file },
        pack: alert.pack.name,
        label: alert.label || undefined,
        columns: row,
        ...serializeEvent(alert.event),
      };
      out.write(safeJson(record) + '\n');
    },
    end() {
      out.flush();
    },
  };
}
