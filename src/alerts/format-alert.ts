import type { AlertFormatter } from '../outputs/formatter.js';
import type { Alert } from './alert.js';
import type { FormattedAlert } from './formatted.js';

export function formatAlert(alert: Alert, formatter: AlertFormatter): FormattedAlert {
  const { rule } = alert;
  return { seq: alert.seq, time: alert.event.time, rule: rule.id ?? rule.title, title: rule.title, text: formatter.format(alert) };
}
