import type { Alert } from '../alerts/alert.js';
import { keyFields } from './alert-fields.js';
import { safeJson } from './escape.js';
import type { AlertFormatter, FormatterOptions } from './formatter.js';
import { REPORT_SCRIPT, REPORT_STYLE } from './html-app.js';
import { PRODUCT_VERSION } from './product.js';

/**
 * One self-contained HTML report: each alert is a JSON object in a `<script type="application/json">`
 * block (any thread formats it; `<`, `>` and `&` are JSON escapes there, so no alert text can
 * close the block), and the page's own script (html-app.ts) builds the totals, the timeline, the
 * filters and the alert list from it with textContent only, so alert text is never markup. A
 * Content-Security-Policy allows no network at all.
 */
export function htmlFormatter({ columns }: FormatterOptions): AlertFormatter {
  return {
    header: [
      '<!doctype html>',
      '<html lang="en"><head><meta charset="utf-8">',
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`,
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>supplywatch report</title><style>${REPORT_STYLE}</style></head><body>`,
      `<header><h1>supplywatch report</h1><p id="overview"></p><p class="muted">supplywatch ${PRODUCT_VERSION}</p></header>`,
      '<section id="totals"></section><section id="timeline-section"><h2>Timeline</h2><div id="timeline"></div></section>',
      '<section><h2>Alerts</h2><div id="filters"></div><p id="shown"></p><div id="alerts"></div></section>',
      '<script type="application/json" id="alert-data">[\n',
    ].join('\n'),
    separator: ',\n',
    footer: `\n]</script><script>${REPORT_SCRIPT}</script></body></html>\n`,
    format(alert: Alert) {
      const { rule, event } = alert;
      const f = event.fields;
      const text = (v: unknown) => (v === undefined || v === null ? undefined : typeof v === 'object' ? JSON.stringify(v) : String(v));
      return scriptSafe(
        safeJson({
          level: rule.level ?? 'unknown',
          rule: rule.id ?? rule.title,
          title: rule.title,
          pack: alert.pack.name,
          label: alert.label || undefined,
          time: event.time === undefined ? undefined : new Date(event.time).toISOString(),
          host: event.host,
          user: event.user,
          fields: Object.fromEntries(keyFields(alert)),
          columns: Object.fromEntries(columns.map((c) => [c.name, c.get(event, alert.label)])),
          // The process tree: the enriched ancestry when the scan has it, else the parent the event names.
          tree: alert.context?.ancestry ?? [{ image: text(f.Image), commandLine: text(f.CommandLine) }, ...(f.ParentImage || f.ParentCommandLine ? [{ image: text(f.ParentImage), commandLine: text(f.ParentCommandLine) }] : [])],
          install: alert.context?.install,
          related: alert.context?.related,
          correlated: alert.correlated?.map((c) => ({ rule: c.rule, title: c.title, host: c.host, time: c.time === undefined ? undefined : new Date(c.time).toISOString() })),
          source: `${event.source.file}${event.source.line !== undefined ? `:${event.source.line}` : event.source.record !== undefined ? `#${event.source.record}` : ''}`,
        }),
      );
    },
  };
}

/** JSON that can sit inside a script element: `</script>`, `<!--` and `&` cannot occur. */
function scriptSafe(json: string): string {
  return json.replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
