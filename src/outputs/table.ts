import type { Alert } from '../alerts/alert.js';
import { DEFAULT_COLUMNS, sourceText } from './default-columns.js';
import { terminalSafe } from './escape.js';
import type { AlertWriter, WriterOptions } from './writer.js';

/**
 * A readable block per alert for a terminal: rule line, then the non-empty columns.
 * Every value goes through terminalSafe (a command line may carry escape sequences).
 */
export function tableWriter({ out, columns, width = 120 }: WriterOptions): AlertWriter {
  const own = columns !== DEFAULT_COLUMNS;
  const nameWidth = Math.max(...columns.map((c) => c.name.length), 'source'.length);
  const clip = (text: string) => (text.length > width - nameWidth - 4 ? text.slice(0, Math.max(20, width - nameWidth - 5)) + '…' : text);
  let count = 0;
  return {
    write(alert: Alert) {
      count += 1;
      const level = (alert.rule.level ?? 'unknown').toUpperCase();
      const label = alert.label ? ` [${terminalSafe(alert.label)}]` : '';
      out.write(`${count === 1 ? '' : '\n'}${level} ${terminalSafe(alert.rule.title)}${label}\n`);
      for (const c of columns) {
        const value = c.get(alert.event, alert.label);
        if (value === null || (own && c.name === 'DetectionArm')) continue;
        out.write(`  ${c.name.padEnd(nameWidth)}  ${clip(terminalSafe(value))}\n`);
      }
      out.write(`  ${'source'.padEnd(nameWidth)}  ${clip(terminalSafe(sourceText(alert)))}\n`);
    },
    end() {},
  };
}
