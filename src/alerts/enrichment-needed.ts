import type { Pack } from './pack.js';
import { correlationFields, detectionFields, type FieldUse } from '../sigma/referenced-fields.js';

/**
 * Fields the Enricher writes. Enrichment (a process tree fed by every process start) is the
 * most expensive step after parsing, and with worker threads every worker replays every
 * start: when no loaded rule reads one of these fields, the scan skips it entirely. The seed
 * pack and most SigmaHQ rule sets need none of them.
 */
const ENRICHED_FIELDS = new Set([
  'AncestorImages',
  'AncestorCommandLines',
  'InstallPackageManager',
  'InstallPackage',
  'InstallPhase',
  'DestinationHostname',
  'DestinationHostnameSource',
  'DestinationIsAllowedRegistry',
]);

/**
 * The enriched fields that no log source carries: a SIEM query on them can never match.
 * DestinationHostname is not one (Sysmon 3 and most network logs have it; the enricher only
 * fills it in from DNS when it is missing).
 */
export const ENRICHMENT_ONLY_FIELDS: ReadonlySet<string> = new Set([...ENRICHED_FIELDS].filter((f) => f !== 'DestinationHostname'));

export function enrichmentNeeded(packs: readonly Pack[]): boolean {
  const use: FieldUse = { fields: new Set(), all: false };
  for (const pack of packs) {
    for (const rule of pack.rules) detectionFields(rule.raw.detection, use);
    for (const correlation of pack.correlations ?? []) correlationFields(correlation.raw.correlation, use);
  }
  return use.all || [...use.fields].some((f) => ENRICHED_FIELDS.has(f));
}
