import type { Pack } from './pack.js';
import { ENRICHED_FIELDS } from '../enrich/fields.js';
import { correlationFields, detectionFields, type FieldUse } from '../sigma/referenced-fields.js';
import { SigmaRule } from '../sigma/rule.js';

/**
 * Enrichment (a process tree fed by every process start) is the most expensive step after
 * parsing, and with worker threads every worker replays every start: when no loaded rule reads
 * a field it writes, the scan skips it entirely. The seed pack and most SigmaHQ rule sets need
 * none of them; keywords never read them (field-access.ts `all`).
 */
export function enrichmentNeeded(packs: readonly Pack[]): boolean {
  const use: FieldUse = { fields: new Set() };
  for (const pack of packs) {
    for (const rule of pack.rules) {
      if (!(rule instanceof SigmaRule)) {
        detectionFields(rule.raw.detection, use);
        continue;
      }
      // Known without deserializing a cached rule's document.
      for (const field of rule.fieldUse.fields) use.fields.add(field);
    }
    for (const correlation of pack.correlations ?? []) correlationFields(correlation.raw.correlation, use);
  }
  return [...use.fields].some((f) => ENRICHED_FIELDS.has(f));
}
