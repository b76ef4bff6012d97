/** What a conversion target offers; `index.ts` lists them. */
import type { Pack } from '../alerts/pack.js';
import type { SigmaRule } from '../sigma/rule.js';
import type { Correlation } from './correlation.js';
import { DURATION_EXAMPLES, inOneUnit, parseDuration, type DurationUnit } from '../duration.js';
import { ConversionError } from './ir.js';

export interface ConvertOptions {
  /** Pipeline name: one of the target's `pipelines`, or `none` (field names and logsource untouched). */
  pipeline: string;
  /** Time window back from now, e.g. 24h (targets that can express it). */
  since?: string;
  limit?: number;
  /**
   * Convert rules that test fields only supplywatch's enrichment creates (InstallPackageManager,
   * DestinationIsAllowedRegistry, InstallPhase, Ancestor*, …); by default they are refused with
   * the reason, as no SIEM has those fields (enrichment-guard.ts). CLI: --allow-enrichment-fields.
   */
  allowEnrichmentFields?: boolean;
}

export interface Backend {
  readonly name: string;
  readonly description: string;
  /** Pipelines, the first is the default. */
  readonly pipelines: readonly string[];
  /** One query for one rule; throws ConversionError when the rule cannot be expressed. */
  rule(rule: SigmaRule, options: ConvertOptions): string;
  /** One query for a whole pack, where the target allows it. */
  combine?(pack: Pack, options: ConvertOptions): string;
  /** A correlation rule over its (already loaded) base rules, where the target allows it. */
  correlation?(c: Correlation, options: ConvertOptions): string;
}

/**
 * The --since duration in one unit (`text`: `24h`, `7d` for `1w`, as SPL's `earliest=-` and KQL's
 * `ago()` take it; src/duration.ts), or a clear error when it is not a duration.
 */
export function sinceOf(options: ConvertOptions): { amount: number; unit: DurationUnit; ms: number; text: string } | undefined {
  if (options.since === undefined) return undefined;
  const ms = parseDuration(options.since);
  if (ms === undefined || ms === 0) throw new ConversionError(`--since '${options.since}' is not a duration like ${DURATION_EXAMPLES}`);
  const { amount, unit, short } = inOneUnit(options.since);
  return { amount, unit, ms, text: short };
}
