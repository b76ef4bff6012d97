import type { Alert } from '../alerts/alert.js';
import { safeJson } from './escape.js';
import type { AlertFormatter, FormatterOptions } from './formatter.js';
import { jsonlFormatter } from './jsonl.js';

/**
 * Splunk HTTP Event Collector events, one JSON object per line: the HEC envelope (time in
 * epoch seconds, host, source, sourcetype) around the alert's JSONL object as `event`. The
 * sink (sinks/hec.ts) batches lines into requests as HEC takes them: objects back to back.
 */
export function hecFormatter(options: FormatterOptions): AlertFormatter {
  const jsonl = jsonlFormatter(options);
  return {
    header: '',
    format(alert: Alert) {
      const { event } = alert;
      let envelope = '{';
      if (event.time !== undefined) envelope += `"time":${(event.time / 1000).toFixed(3)},`;
      if (event.host !== undefined) envelope += `"host":${safeJson(event.host)},`;
      envelope += `"source":"supplywatch","sourcetype":"supplywatch:alert","event":`;
      return `${envelope}${jsonl.format(alert).slice(0, -1)}}\n`;
    },
  };
}
