/**
 * Rules that test fields only supplywatch's enricher creates (process ancestry, install
 * context, registry allowlist verdicts: src/enrich/) convert into queries that a SIEM runs but
 * that can never match: no log source has those fields. Every target refuses them, naming the
 * fields, unless the caller sets `ConvertOptions.allowEnrichmentFields` (e.g. to hand-edit the
 * query, or for a SIEM that computes the same fields).
 */
import type { Pack } from '../alerts/pack.js';
import { ENRICHMENT_ONLY_FIELDS } from '../enrich/fields.js';
import { detectionFields } from '../sigma/referenced-fields.js';
import type { SigmaRule } from '../sigma/rule.js';
import type { Correlation } from './correlation.js';
import { ConversionError } from './ir.js';
import type { Backend, ConvertOptions } from './target.js';

/** The enrichment-only fields a rule's detection tests, sorted. */
export function enrichmentFieldsOf(rule: SigmaRule): string[] {
  const use = detectionFields(rule.raw.detection);
  return [...use.fields].filter((f) => ENRICHMENT_ONLY_FIELDS.has(f)).sort();
}

function refuse(rules: readonly SigmaRule[], options: ConvertOptions): void {
  if (options.allowEnrichmentFields) return;
  const fields = [...new Set(rules.flatMap(enrichmentFieldsOf))].sort();
  if (fields.length === 0) return;
  throw new ConversionError(
    `needs ${fields.join(', ')}, which only supplywatch's enrichment creates (no SIEM event has ${fields.length === 1 ? 'it' : 'them'}): ` +
      'the query could never match; run the rule with supplywatch scan/run, or convert anyway with --allow-enrichment-fields',
  );
}

/** The backend, refusing rules that need enrichment fields (see above) in every method. */
export function guardEnrichment(backend: Backend): Backend {
  return {
    name: backend.name,
    description: backend.description,
    pipelines: backend.pipelines,
    rule(rule: SigmaRule, options: ConvertOptions) {
      refuse([rule], options);
      return backend.rule(rule, options);
    },
    combine: backend.combine && ((pack: Pack, options: ConvertOptions) => {
      refuse(pack.rules as SigmaRule[], options);
      return backend.combine!(pack, options);
    }),
    correlation: backend.correlation && ((c: Correlation, options: ConvertOptions) => {
      refuse(c.rules.map((r) => r.rule), options);
      return backend.correlation!(c, options);
    }),
  };
}
