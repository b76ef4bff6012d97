import { basename } from 'node:path';
import type { Alert } from '../alerts/alert.js';
import type { Column } from '../alerts/columns.js';

/**
 * What the SIEM formats (LEEF, CEF, syslog, HEC, ECS, SARIF) say about an alert, decided once
 * here so that every format names the same rule, severity and fields the same way.
 */

/**
 * A rule's stable event id: its Sigma id, else its file's name. Never the title: QRadar maps
 * EventID to a QID once, and a reworded title must not make a new event type.
 */
export function eventId(rule: Alert['rule']): string {
  return rule.id ?? `file:${basename(rule.file)}`;
}

/** Sigma levels on the 0-10 scale CEF and LEEF share (unknown levels sit in the middle). */
// A Map: a rule's level is its file's text.
const SEVERITY = new Map([['informational', 1], ['low', 3], ['medium', 5], ['high', 8], ['critical', 10]]);

export function severity(level: string | undefined): number {
  return SEVERITY.get(level ?? '') ?? 5;
}

/** The event fields a SOC triages on, in this order, when the event has them. */
export const KEY_FIELDS = [
  'Image',
  'CommandLine',
  'ParentImage',
  'ParentCommandLine',
  'CurrentDirectory',
  'ProcessId',
  'ParentProcessId',
  'TargetFilename',
  'DestinationHostname',
  'DestinationIp',
  'DestinationPort',
  'QueryName',
] as const;

/** The key fields the event has, as text (arrays and objects as JSON). */
export function keyFields(alert: Alert): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of KEY_FIELDS) {
    const value = alert.event.fields[name];
    if (value === undefined || value === null) continue;
    out.push([name, typeof value === 'object' ? JSON.stringify(value) : String(value)]);
  }
  return out;
}

/** The pack's output columns of this alert (the seed's SELECT list), null cells left out. */
export function columnValues(alert: Alert, columns: readonly Column[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const c of columns) {
    const value = c.get(alert.event, alert.label);
    if (value !== null) out.push([c.name, value]);
  }
  return out;
}

/**
 * Controls other than tab, CR and LF, DEL, C1 and the bidi/line-separator characters, which
 * every SIEM format here shows as the visible text `\uXXXX` (as escape.ts does for terminals):
 * analysts read these consoles, and an ESC or a right-to-left override must not act there.
 */
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function visibleControls(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A key made of what LEEF and CEF keys may hold (letters, digits, `_`). */
export function attributeKey(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_') || '_';
}
