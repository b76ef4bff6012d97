import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { loadPacks, type Pack } from '../../src/alerts/pack.js';
import { EventPipeline } from '../../src/alerts/pipeline.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import { jsonlFormatter } from '../../src/outputs/jsonl.js';
import { outputColumns } from '../../src/outputs/formats.js';
import { readInputs } from '../../src/sources/open.js';
import { REPO } from '../helpers/cli.js';

/**
 * A pipeline's snapshot (enrichment state and open correlation windows), written as JSON and
 * restored into a new pipeline, continues exactly as the pipeline it was taken from: the alerts
 * after the cut, with their ancestry, install context and correlations, are the same lines.
 * This is what lets a streaming worker take over a partition from a checkpoint.
 */
const INPUTS = [join(REPO, 'eval-corpus', 'live'), join(REPO, 'eval-corpus', 'holdout', 'malicious')];
let packs: Pack[];
let lines: (alerts: Alert[]) => string[];

async function events(): Promise<NormalizedEvent[]> {
  const out: NormalizedEvent[] = [];
  for await (const batch of readInputs(INPUTS, { onBad: () => {} })) out.push(...batch.events);
  return out;
}

function run(pipeline: EventPipeline, list: NormalizedEvent[], firstSeq: number): Alert[] {
  const out: Alert[] = [];
  list.forEach((event, i) => pipeline.process(event, firstSeq + i, out));
  return out;
}

beforeAll(async () => {
  packs = (await loadPacks(['hardened', 'seed'])).packs;
  const formatter = jsonlFormatter({ columns: outputColumns(packs), rules: packs.flatMap((p) => [...p.rules, ...(p.correlations ?? [])]) } as never);
  lines = (alerts) => alerts.map((a) => formatter.format(a));
});

describe('EventPipeline snapshot and restore', () => {
  it('continues after a JSON round trip with the same alerts as without the cut', async () => {
    const whole = await events();
    const reference = run(new EventPipeline(packs, { now: 0 }), whole, 1);
    expect(reference.some((a) => a.correlated)).toBe(true);
    expect(reference.some((a) => a.context && a.context.ancestry.length > 1)).toBe(true);
    for (const cut of [Math.floor(whole.length / 3), Math.floor((2 * whole.length) / 3)]) {
      const list = await events();
      const first = new EventPipeline(packs, { now: 0 });
      const before = run(first, list.slice(0, cut), 1);
      const resumed = new EventPipeline(packs, { now: 0 });
      resumed.restore(JSON.parse(JSON.stringify(first.snapshot())));
      const after = run(resumed, list.slice(cut), cut + 1);
      const expected = lines(reference.filter((a) => a.seq > cut));
      expect(lines(before)).toEqual(lines(reference.filter((a) => a.seq <= cut)));
      expect(lines(after)).toEqual(expected);
      // The cut falls where state matters: some later alert has ancestry or correlates events from before it.
      expect(reference.filter((a) => a.seq > cut).some((a) => a.correlated?.some((r) => r.seq <= cut) || (a.context?.ancestry.length ?? 0) > 1)).toBe(true);
    }
  }, 60_000);

  it('a fresh pipeline without the snapshot misses what the state carried (the check itself)', async () => {
    const whole = await events();
    const reference = run(new EventPipeline(packs, { now: 0 }), whole, 1);
    const cut = Math.floor(whole.length / 3);
    const list = await events();
    const after = run(new EventPipeline(packs, { now: 0 }), list.slice(cut), cut + 1);
    expect(lines(after)).not.toEqual(lines(reference.filter((a) => a.seq > cut)));
  }, 60_000);
});
