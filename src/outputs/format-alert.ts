import type { AlertFormatter } from './formatter.js';
import type { Alert } from '../alerts/alert.js';
import type { FormattedAlert } from '../alerts/formatted.js';

export function formatAlert(alert: Alert, formatter: AlertFormatter): FormattedAlert {
  const { rule } = alert;
  return { seq: alert.seq, time: alert.event.time, rule: ruleKey(rule), title: rule.title, text: formatter.format(alert) };
}

/** A rule's key in the per-rule summary: its id, or its title when it has none. */
export function ruleKey(rule: Alert['rule']): string {
  return rule.id ?? rule.title;
}
