import type { Alert } from '../alerts/alert.js';
import { idOfAlert } from '../alerts/alert-id.js';
import { playbookPointer } from '../alerts/playbooks.js';
import type { NormalizedEvent } from '../events/event.js';
import { serializeEvent } from '../events/event.js';
import type { EventRef } from '../sigma/index.js';
import { safeJson } from './escape.js';
import type { AlertFormatter, FormatterOptions } from './formatter.js';
import { perRule } from './per-rule.js';

/**
 * One JSON object per alert: rule, pack output columns, the event as `dump` prints it.
 *
 * The line is the JSON of `{rule, playbook, pack, label, columns, ...event, correlated, context,
 * alert_id}` (playbook: alerts/playbooks.ts, alert_id: alerts/alert-id.ts), built
 * from fragments: a rule's part is serialized once per rule, an event's once per event (an
 * event that several rules match is alerted on consecutively), so an alert costs only its
 * columns. Each fragment is `safeJson` of its own value, so the line is exactly what one
 * `safeJson` of the whole object gives.
 */
export function jsonlFormatter({ columns }: FormatterOptions): AlertFormatter {
  const rulePartOf = perRule((rule) => {
    const part = `{"rule":${safeJson({ id: rule.id, title: rule.title, level: rule.level, tags: rule.tags, file: rule.file })}`;
    const playbook = playbookPointer(rule.id);
    return playbook ? `${part},"playbook":${safeJson(playbook)}` : part;
  });
  let lastEvent: NormalizedEvent | undefined;
  let lastEventPart = '';
  return {
    header: '',
    format(alert: Alert) {
      const { rule, event } = alert;
      const head = rulePartOf(rule);
      if (event !== lastEvent) {
        // serializeEvent always has `fields` and `source`: the object is never empty.
        lastEventPart = ',' + safeJson(serializeEvent(event)).slice(1, -1);
        lastEvent = event;
      }
      const row: Record<string, string | null> = {};
      for (const c of columns) row[c.name] = c.get(event, alert.label);
      let line = `${head},"pack":${safeJson(alert.pack.name)}`;
      if (alert.label) line += `,"label":${safeJson(alert.label)}`;
      line += `,"columns":${safeJson(row)}${lastEventPart}`;
      if (alert.correlated) line += `,"correlated":${safeJson(alert.correlated.map(correlatedJson))}`;
      if (alert.context) line += `,"context":${safeJson(alert.context)}`;
      return line + `,"alert_id":${safeJson(idOfAlert(alert))}}\n`;
    },
  };
}

/** A correlated event: its rule, time, host and provenance (the same shape as an alert's). */
function correlatedJson(ref: EventRef) {
  return { rule: ref.rule, title: ref.title, time: ref.time === undefined ? undefined : new Date(ref.time).toISOString(), host: ref.host, source: ref.source };
}
