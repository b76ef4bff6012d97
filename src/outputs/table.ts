import type { Alert } from '../alerts/alert.js';
import { contextLines, correlatedText, DEFAULT_COLUMNS, sourceText } from './default-columns.js';
import { terminalSafe } from './escape.js';
import type { AlertFormatter, FormatterOptions } from './formatter.js';

/**
 * A readable block per alert for a terminal: rule line, then the non-empty columns, then a
 * blank line. Every value goes through terminalSafe (a command line may carry escape sequences).
 * Values are cut to the terminal's width; a width of 0 (a terminal that reports none, e.g. a
 * pseudo-terminal nobody sized) cuts nothing.
 */
export function tableFormatter({ columns, width = 120 }: FormatterOptions): AlertFormatter {
  const own = columns !== DEFAULT_COLUMNS;
  const nameWidth = Math.max(...columns.map((c) => c.name.length), 'source'.length);
  const room = width > 0 ? Math.max(20, width - nameWidth - 5) : Infinity;
  const clip = (text: string) => (text.length > room ? text.slice(0, room) + '…' : text);
  const line = (name: string, value: string) => `  ${name.padEnd(nameWidth)}  ${clip(terminalSafe(value))}\n`;
  return {
    header: '',
    format(alert: Alert) {
      const level = (alert.rule.level ?? 'unknown').toUpperCase();
      const label = alert.label ? ` [${terminalSafe(alert.label)}]` : '';
      let text = `${level} ${terminalSafe(alert.rule.title)}${label}\n`;
      for (const c of columns) {
        const value = c.get(alert.event, alert.label);
        if (value === null || (own && c.name === 'DetectionArm')) continue;
        text += line(c.name, value);
      }
      text += line('source', sourceText(alert));
      // Correlation alerts: one line per correlated event, in time order.
      for (const ref of alert.correlated ?? []) text += line('event', correlatedText(ref));
      if (alert.context) for (const [name, value] of contextLines(alert.context)) text += line(name, value);
      return text + '\n';
    },
  };
}
