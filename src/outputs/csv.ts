import type { Alert } from '../alerts/alert.js';
import { DEFAULT_COLUMNS, ruleColumns, sourceText } from './default-columns.js';
import { csvRow, rawCsvRow } from './escape.js';
import type { AlertFormatter, FormatterOptions } from './formatter.js';

/**
 * RFC 4180 CSV, CRLF line ends. With a pack's columns the rows are exactly that pack's SELECT
 * list (the seed pack prints what QRadar prints); otherwise rule id/title/level, the default
 * columns and the source location. Cells are neutralised (formulas, terminal controls) unless
 * `rawCells` asks for QRadar's exact bytes (escape.ts).
 */
export function csvFormatter({ columns, rawCells = false }: FormatterOptions): AlertFormatter {
  const own = columns !== DEFAULT_COLUMNS;
  const row = rawCells ? rawCsvRow : csvRow;
  const header = own ? columns.map((c) => c.name) : ['RuleId', 'RuleTitle', 'Level', ...DEFAULT_COLUMNS.map((c) => c.name), 'Source'];
  return {
    header: row(header),
    format(alert: Alert) {
      const values = columns.map((c) => c.get(alert.event, alert.label));
      return row(own ? values : [...ruleColumns(alert), ...values, sourceText(alert)]);
    },
  };
}
