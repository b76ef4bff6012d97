import type { Alert } from '../alerts/alert.js';
import { attributeKey, columnValues, eventId, severity, visibleControls } from './alert-fields.js';
import type { AlertFormatter, FormatterOptions } from './formatter.js';
import { perRule } from './per-rule.js';
import { PRODUCT, PRODUCT_VERSION, VENDOR } from './product.js';

/**
 * ArcSight CEF, one event per line:
 * `CEF:0|supplywatch|supplywatch|VERSION|SIGNATURE_ID|NAME|SEVERITY|EXTENSIONS`.
 *
 * The signature id is the rule's id (alert-fields.ts eventId), never its title; severity is the
 * level on 0-10. Extensions use CEF's dictionary where it has a key (rt, dvchost, suser, sproc,
 * filePath, dhost, dst, dpt) and its labelled custom strings for the rest (cs1 = command line,
 * ...); the pack's columns follow as `col_NAME`.
 *
 * Escaping follows the CEF guide: in the header `\` and `|`; in extension values `\`, `=`, and
 * line breaks as `\n`/`\r`. Controls and bidi characters first become the visible text `\uXXXX`
 * (whose backslash is then escaped like any other), so nothing reaches a console raw.
 */
export function cefFormatter({ columns }: FormatterOptions): AlertFormatter {
  const headOf = perRule((rule) => ['CEF:0', VENDOR, PRODUCT, PRODUCT_VERSION, eventId(rule), rule.title, String(severity(rule.level))].map((f, i) => (i === 0 ? f : cefHeaderField(f))).join('|') + '|');
  return {
    header: '',
    format(alert: Alert) {
      const { rule, event } = alert;
      const head = headOf(rule);
      const f = event.fields;
      const ext: Array<[string, string | undefined]> = [
        ['rt', event.time === undefined ? undefined : String(event.time)],
        ['dvchost', event.host],
        ['suser', event.user],
        ['sproc', text(f.Image)],
        ...custom(1, 'CommandLine', text(f.CommandLine)),
        ...custom(2, 'ParentImage', text(f.ParentImage)),
        ...custom(3, 'ParentCommandLine', text(f.ParentCommandLine)),
        ...custom(4, 'SigmaRuleId', rule.id),
        ...custom(5, 'Pack', alert.pack.name),
        ...custom(6, 'Level', rule.level ?? 'unknown'),
        ['filePath', text(f.TargetFilename)],
        ['dhost', text(f.DestinationHostname ?? f.QueryName)],
        ['dst', text(f.DestinationIp)],
        ['dpt', text(f.DestinationPort)],
        ['fname', event.source.file],
        ...columnValues(alert, columns).map(([name, value]): [string, string] => [`col_${attributeKey(name)}`, value]),
      ];
      return head + ext.filter((e): e is [string, string] => e[1] !== undefined).map(([k, v]) => `${k}=${cefValue(v)}`).join(' ') + '\n';
    },
  };
}

/** A labelled custom string (`csN` and its `csNLabel`), only when there is a value. */
function custom(n: number, label: string, value: string | undefined): Array<[string, string | undefined]> {
  return value === undefined ? [] : [[`cs${n}Label`, label], [`cs${n}`, value]];
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A CEF header field: controls (line breaks included) visible, then `\` and `|` escaped. */
export function cefHeaderField(value: string): string {
  return visibleControls(value)
    .replace(/[\t\r\n]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[\\|]/g, (c) => `\\${c}`);
}

/** A CEF extension value: controls visible (tab too), then `\`, `=` and line breaks escaped. */
export function cefValue(value: string): string {
  return visibleControls(value)
    .replace(/\t/g, '\\u0009')
    .replace(/[\\=\r\n]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`));
}
