import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Alert } from '../alerts/alert.js';
import { columnValues, eventId, keyFields } from './alert-fields.js';
import { safeJson } from './escape.js';
import type { AlertFormatter, FormatterOptions } from './formatter.js';
import { PRODUCT, PRODUCT_VERSION } from './product.js';

const SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** Sigma levels as SARIF result levels (GitHub code scanning shows error/warning/note). */
export function sarifLevel(level: string | undefined): 'error' | 'warning' | 'note' {
  if (level === 'critical' || level === 'high') return 'error';
  if (level === 'informational') return 'note';
  return 'warning';
}

/** GitHub code scanning ranks security results by this score (0-10, as a string). */
// A Map: a rule's level is its file's text.
const SECURITY_SEVERITY = new Map([['informational', '1.0'], ['low', '3.0'], ['medium', '5.5'], ['high', '8.0'], ['critical', '9.5']]);

/**
 * SARIF 2.1.0, one run: every loaded rule in `tool.driver.rules` (written first, on the main
 * thread), then one result per alert, each formatted on its own (by any thread) and joined by
 * commas. The location is the telemetry record that alerted (its file and line); JSON escaping
 * is escape.ts safeJson, so no control or bidi character reaches a viewer raw.
 */
export function sarifFormatter({ columns, rules = [] }: FormatterOptions): AlertFormatter {
  const descriptors = new Map<string, object>();
  for (const rule of rules) {
    const id = eventId(rule);
    if (descriptors.has(id)) continue;
    descriptors.set(id, {
      id,
      name: rule.title,
      shortDescription: { text: rule.title },
      ...(rule.description ? { fullDescription: { text: rule.description } } : {}),
      defaultConfiguration: { level: sarifLevel(rule.level) },
      properties: { tags: rule.tags, 'security-severity': SECURITY_SEVERITY.get(rule.level ?? '') ?? '5.5', file: rule.file },
    });
  }
  const driver = { name: PRODUCT, version: PRODUCT_VERSION, informationUri: 'https://attack.mitre.org/techniques/T1195/001/', rules: [...descriptors.values()] };
  return {
    header: `{"$schema":${safeJson(SCHEMA)},"version":"2.1.0","runs":[{"tool":{"driver":${safeJson(driver)}},"columnKind":"utf16CodeUnits","results":[\n`,
    separator: ',\n',
    footer: '\n]}]}\n',
    format(alert: Alert) {
      const { rule, event } = alert;
      const fields = Object.fromEntries(keyFields(alert));
      const region = event.source.line !== undefined ? { region: { startLine: event.source.line } } : {};
      const message = [rule.title, event.host && `on ${event.host}`, fields.CommandLine ?? fields.Image ?? fields.TargetFilename].filter(Boolean).join(': ');
      return safeJson({
        ruleId: eventId(rule),
        level: sarifLevel(rule.level),
        message: { text: message },
        locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(event.source.file) }, ...region } }],
        partialFingerprints: { 'supplywatchAlert/v1': fingerprint(alert, fields) },
        properties: {
          time: event.time === undefined ? undefined : new Date(event.time).toISOString(),
          host: event.host,
          user: event.user,
          pack: alert.pack.name,
          label: alert.label || undefined,
          fields,
          columns: Object.fromEntries(columnValues(alert, columns)),
        },
      });
    },
  };
}

/** A relative path stays relative (GitHub resolves it in the repository); an absolute one is a file: URI. */
function artifactUri(file: string): string {
  if (file === '-') return 'stdin';
  if (isAbsolute(file)) return pathToFileURL(file).href;
  return encodeURI(file.replace(/\\/g, '/'));
}

/** The same alert on the same host is the same finding from one run to the next. */
function fingerprint(alert: Alert, fields: Record<string, string>): string {
  const key = JSON.stringify([eventId(alert.rule), alert.event.host ?? '', fields.Image ?? '', fields.CommandLine ?? '', fields.TargetFilename ?? '']);
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}
