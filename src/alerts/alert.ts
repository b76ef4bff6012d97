import type { InvestigationContext } from '../enrich/investigation.js';
import type { NormalizedEvent } from '../events/event.js';
import type { CompiledRule, CorrelationRule, EventRef } from '../sigma/index.js';
import type { Pack } from './pack.js';

/** One detection: an event, the rule that matched it, and the pack that decides its output. */
export interface Alert {
  /** Position of the event in the whole input (files in order, records in order): stable tie-break. */
  seq: number;
  pack: Pack;
  rule: CompiledRule | CorrelationRule;
  /** The pack's label for the rule (the seed's DetectionArm); '' when the rule has none. */
  label: string;
  event: NormalizedEvent;
  /** Correlation alerts: the events correlated, in time order (their rule and provenance). */
  correlated?: EventRef[];
  /** Ancestry and related install activity, when the scan enriches (src/enrich/investigation.ts). */
  context?: InvestigationContext;
}
