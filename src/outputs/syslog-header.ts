import type { Alert } from '../alerts/alert.js';
import type { AlertFormatter } from './formatter.js';

/** Sigma levels as syslog severities (RFC 5424 6.2.1): critical 2, high 3, medium 4, low 5, informational 6. */
// A Map: a rule's level is its file's text.
const SEVERITY = new Map([['critical', 2], ['high', 3], ['medium', 4], ['low', 5], ['informational', 6]]);
/** Facility local0 (16), the usual choice for a product's own events. */
const FACILITY = 16;

/**
 * Puts an RFC 5424 header before each line of a line format (LEEF, CEF, JSONL, ECS):
 * `<PRI>1 TIMESTAMP HOSTNAME supplywatch - alert - MSG`. TIMESTAMP and HOSTNAME are the
 * event's (when it has them), so the message does not depend on when or where it was sent, and
 * any thread formats the same bytes; the transport (sinks/syslog.ts) frames each line.
 */
export function withSyslogHeader(inner: AlertFormatter): AlertFormatter {
  return {
    header: '',
    format(alert: Alert) {
      const { rule, event } = alert;
      const pri = FACILITY * 8 + (SEVERITY.get(rule.level ?? '') ?? 4);
      const time = event.time === undefined ? '-' : new Date(event.time).toISOString();
      return `<${pri}>1 ${time} ${headerField(event.host, 255)} supplywatch - alert - ${inner.format(alert)}`;
    },
  };
}

/** A header field: printable US-ASCII without spaces (RFC 5424 PRINTUSASCII), at most `max`; '-' when absent. */
function headerField(value: string | undefined, max: number): string {
  if (!value) return '-';
  const printable = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return printable;
}
