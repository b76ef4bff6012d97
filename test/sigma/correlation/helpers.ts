import type { Alert } from '../../../src/alerts/alert.js';
import { Detector } from '../../../src/alerts/detector.js';
import type { Pack } from '../../../src/alerts/pack.js';
import type { Fields, NormalizedEvent } from '../../../src/events/event.js';
import { loadRulesFromText } from '../../../src/sigma/index.js';

export const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);
export const S = 1000;

/** Base rules used by the tests: one per EventID, named a, b, c, fail, ok. */
export const BASE = `
title: A
id: 00000000-0000-4000-8000-00000000000a
name: a
logsource: {product: windows, service: security}
detection: {sel: {EventID: 1}, condition: sel}
---
title: B
name: b
logsource: {product: windows, service: security}
detection: {sel: {EventID: 2}, condition: sel}
---
title: C
name: c
logsource: {product: windows, service: security}
detection: {sel: {EventID: 3}, condition: sel}
`;

export function packOf(yaml: string): Pack {
  const loaded = loadRulesFromText(BASE + '---\n' + yaml, 'corr.yml');
  if (loaded.rejected.length > 0) throw new Error(JSON.stringify(loaded.rejected));
  return { name: 'test', rules: loaded.rules, selection: 'all', labels: new Map(), correlations: loaded.correlations };
}

let line = 0;
export function ev(eventId: number, time: number, fields: Fields = {}, host = 'H1'): NormalizedEvent {
  return { product: 'windows', service: 'security', time, host, fields: { EventID: eventId, Computer: host, ...fields }, source: { file: 'e.ndjson', format: 'x', line: ++line } };
}

/** Runs the events in the given (arrival) order through a Detector; returns every alert. */
export function run(pack: Pack, events: NormalizedEvent[]): Alert[] {
  const detector = new Detector([pack]);
  const out: Alert[] = [];
  events.forEach((e, i) => detector.detect(e, i + 1, out));
  detector.finish(out);
  return out;
}

export const correlationAlerts = (alerts: Alert[]) => alerts.filter((a) => a.correlated !== undefined);
export const lines = (a: Alert) => a.correlated!.map((r) => r.source.line);
