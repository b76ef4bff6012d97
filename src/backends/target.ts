/** What a conversion target offers; `index.ts` lists them. */
import type { Pack } from '../alerts/pack.js';
import type { SigmaRule } from '../sigma/rule.js';
import type { Correlation } from './correlation.js';
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

/** `24h`, `30m`, `7d` → [amount, unit]; undefined for anything else. */
export function parseSince(since: string): { amount: number; unit: 'minutes' | 'hours' | 'days'; ms: number } | undefined {
  const m = /^(\d+)([mhd])$/.exec(since);
  if (!m) return undefined;
  const amount = Number(m[1]);
  const unit = m[2] === 'm' ? 'minutes' : m[2] === 'h' ? 'hours' : 'days';
  const ms = amount * (unit === 'minutes' ? 60_000 : unit === 'hours' ? 3_600_000 : 86_400_000);
  return { amount, unit, ms };
}

/** The --since duration, or a clear error when it is not one. */
export function sinceOf(options: ConvertOptions): { amount: number; unit: 'minutes' | 'hours' | 'days'; ms: number; text: string } | undefined {
  if (options.since === undefined) return undefined;
  const s = parseSince(options.since);
  if (!s) throw new ConversionError(`--since '${options.since}' is not a duration like 24h, 30m or 7d`);
  return { ...s, text: options.since };
}
