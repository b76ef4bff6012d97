import type { Alert } from '../alerts/alert.js';
import { attributeKey, columnValues, eventId, keyFields, severity } from './alert-fields.js';
import { terminalSafe } from './escape.js';
import type { AlertFormatter, FormatterOptions } from './formatter.js';
import { perRule } from './per-rule.js';
import { PRODUCT, PRODUCT_VERSION, VENDOR } from './product.js';

/**
 * IBM LEEF 2.0, one event per line, attributes separated by a tab (declared `x09` in the
 * header, QRadar's default):
 * `LEEF:2.0|supplywatch|supplywatch|VERSION|EVENT_ID|x09|devTime=...<TAB>sev=8<TAB>...`.
 *
 * The event id is the rule's id (alert-fields.ts eventId), which QRadar maps to a QID. LEEF
 * defines no unescaping, and QRadar shows values as they come, so values keep their
 * backslashes (Windows paths stay readable and regex-extractable) and only what would break
 * the line or act on a console is written as visible text, as on a terminal: the delimiter
 * (tab) as `\t`, line breaks as `\n`/`\r`, other controls and bidi characters as `\uXXXX`.
 * Header fields escape `|` and `\` with a backslash, as the LEEF guide asks.
 */
export function leefFormatter({ columns }: FormatterOptions): AlertFormatter {
  const headOf = perRule((rule) => `LEEF:2.0|${VENDOR}|${PRODUCT}|${PRODUCT_VERSION}|${leefHeaderField(eventId(rule))}|x09|`);
  return {
    header: '',
    format(alert: Alert) {
      const { rule, event } = alert;
      const head = headOf(rule);
      const attributes: Array<[string, string]> = [];
      if (event.time !== undefined) attributes.push(['devTime', new Date(event.time).toISOString()], ['devTimeFormat', "yyyy-MM-dd'T'HH:mm:ss.SSSX"]);
      attributes.push(['sev', String(severity(rule.level))], ['cat', rule.level ?? 'unknown'], ['ruleName', rule.title]);
      if (rule.id) attributes.push(['ruleId', rule.id]);
      attributes.push(['pack', alert.pack.name]);
      if (event.host !== undefined) attributes.push(['identHostName', event.host]);
      if (event.user !== undefined) attributes.push(['usrName', event.user]);
      for (const [name, value] of keyFields(alert)) attributes.push([name, value]);
      for (const [name, value] of columnValues(alert, columns)) attributes.push([`col_${name}`, value]);
      attributes.push(['sourceFile', event.source.file]);
      if (event.source.line !== undefined) attributes.push(['sourceLine', String(event.source.line)]);
      return head + attributes.map(([k, v]) => `${attributeKey(k)}=${leefValue(v)}`).join('\t') + '\n';
    },
  };
}

/** A LEEF attribute value: no tab (the delimiter), no line break, no control or bidi character. */
export function leefValue(value: string): string {
  return terminalSafe(value);
}

/** A LEEF header field: `|` and `\` escaped, nothing that breaks the line or acts on a console. */
export function leefHeaderField(value: string): string {
  return terminalSafe(value).replace(/[\\|]/g, (c) => `\\${c}`);
}
