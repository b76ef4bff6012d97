import type { Enricher } from '../enrich/enricher.js';
import type { NormalizedEvent } from '../events/event.js';
import type { Alert } from './alert.js';

/**
 * Gives the alerts raised by `event` (found[from…]) its investigation context, computed once.
 * Correlation alerts completed by the event are left alone: they list their own events (and
 * with worker threads they are raised on the main thread, which has no enrichment state).
 */
export function addContext(found: Alert[], from: number, enricher: Enricher | undefined, event: NormalizedEvent): void {
  if (!enricher || found.length === from) return;
  let context: ReturnType<Enricher['investigation']> | undefined;
  for (let i = from; i < found.length; i++) {
    const alert = found[i]!;
    if (alert.correlated) continue;
    alert.context = context ??= enricher.investigation(event);
  }
}
