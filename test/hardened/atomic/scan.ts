/** Scans one telemetry file as `supplywatch scan --rules hardened` does: read, enrich, detect. */
import type { Alert } from '../../../src/alerts/alert.js';
import { Detector } from '../../../src/alerts/detector.js';
import { Enricher } from '../../../src/enrich/enricher.js';
import { readInputs, type BadRecord } from '../../../src/sources/open.js';
import { hardenedPack } from '../chain.js';

export const MEDIUM_OR_ABOVE = new Set(['medium', 'high', 'critical']);

export interface ScanResult {
  format?: string;
  events: number;
  bad: BadRecord[];
  alerts: Array<{ title: string; level: string }>;
}

export async function scanFile(path: string): Promise<ScanResult> {
  const enricher = new Enricher();
  const detector = new Detector([await hardenedPack()]);
  const found: Alert[] = [];
  const result: ScanResult = { events: 0, bad: [], alerts: [] };
  let seq = 0;
  for await (const batch of readInputs([path], { onBad: (b) => result.bad.push(b) })) {
    result.format = batch.format;
    for (const event of batch.events) {
      result.events += 1;
      enricher.enrich(event);
      detector.detect(event, (seq += 1), found);
    }
  }
  detector.finish(found);
  result.alerts = found.map((a) => ({ title: a.rule.title, level: a.rule.level ?? '' }));
  return result;
}
