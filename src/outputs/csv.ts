import type { Alert } from '../alerts/alert.js';
import { DEFAULT_COLUMNS, ruleColumns, sourceText } from './default-columns.js';
import { csvRow } from './escape.js';
import { BufferedOut } from './buffered.js';
import type { AlertWriter, WriterOptions } from './writer.js';

/**
 * RFC 4180 CSV, CRLF line ends. With a pack's columns the rows are exactly that pack's SELECT
 * list (the seed pack prints what QRadar prints); otherwise rule id/title/level, the default
 * columns and the source location.
 */
export function csvWriter({ out: stream, columns }: WriterOptions): AlertWriter {
  const out = new BufferedOut(stream);
  const own = columns !== DEFAULT_COLUMNS;
  const header = own
    ? columns.map((c) => c.name)
    : ['RuleId', 'RuleTitle', 'Level', ...DEFAULT_COLUMNS.map((c) => c.name), 'Source'];
  out.write(csvRow(header));
  return {
    write(alert: Alert) {
      const values = columns.map((c) => c.get(alert.event, alert.label));
      out.write(csvRow(own ? values : [...ruleColumns(alert), ...values, sourceText(alert)]));
    },
    end() {
      out.flush();
    },
  };
}
