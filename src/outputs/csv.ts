import type { Alert } from '../alerts/alert.js';
import { DEFAULT_COLUMNS, ruleColumns, sourceText } from './default-columns.js';
import { csvRow } from './escape.js';
import type { AlertFormatter, FormatterOptions } from './formatter.js';

/**
 * RFC 4180 CSV, CRLF line ends. With a pack's columns the rows are exactly that pack's SELECT
 * list (the seed pack prints what QRadar prints); otherwise rule id/title/level, the default
 * columns and the source location.
 */
export function csvFormatter({ columns }: FormatterOptions): AlertFormatter {
  const own = columns !== DEFAULT_COLUMNS;
  const header = own ? columns.map((c) => c.name) : ['RuleId', 'RuleTitle', 'Level', ...DEFAULT_COLUMNS.map((c) => c.name), 'Source'];
  return {
    header: csvRow(header),
    format(alert: Alert) {
      const values = columns.map((c) => c.get(alert.event, alert.label));
      return csvRow(own ? values : [...ruleColumns(alert), ...values, sourceText(alert)]);
    },
  };
}
