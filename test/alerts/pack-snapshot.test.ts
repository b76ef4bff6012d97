import { describe, expect, it } from 'vitest';
import { loadPacks } from '../../src/alerts/pack.js';
import { packsFromSnapshot, snapshotPacks } from '../../src/alerts/pack-snapshot.js';
import { Detector } from '../../src/alerts/detector.js';
import type { Alert } from '../../src/alerts/alert.js';
import type { NormalizedEvent } from '../../src/events/event.js';

const event = (fields: Record<string, string>): NormalizedEvent => ({
  category: 'process_creation', product: 'windows', host: 'ws1', user: 'dev', time: Date.UTC(2026, 10, 27, 10),
  fields, source: { file: 'x.ndjson', format: 'otrf', line: 1 },
});

describe('pack snapshots (what worker threads compile their packs from)', () => {
  it('survive a structured clone and rebuild the same packs: rule order, labels, columns, correlations', async () => {
    const { packs } = await loadPacks(['seed', 'hardened']);
    const rebuilt = packsFromSnapshot(structuredClone(snapshotPacks(packs)));
    expect(rebuilt.map((p) => p.name)).toEqual(packs.map((p) => p.name));
    for (const [i, pack] of packs.entries()) {
      const copy = rebuilt[i]!;
      expect(copy.rules.map((r) => `${r.file}:${r.line}:${r.id}`)).toEqual(pack.rules.map((r) => `${r.file}:${r.line}:${r.id}`));
      expect([...copy.labels]).toEqual([...pack.labels]);
      expect(copy.selection).toBe(pack.selection);
      expect(copy.order).toBe(pack.order);
      expect(copy.columns?.map((c) => [c.name, c.spec])).toEqual(pack.columns?.map((c) => [c.name, c.spec]));
      expect(copy.correlations?.map((c) => [c.id, c.inputs.map((r) => r.id)])).toEqual(pack.correlations?.map((c) => [c.id, c.inputs.map((r) => r.id)]));
    }
    expect(packs.some((p) => (p.correlations?.length ?? 0) > 0)).toBe(true);
  });

  it('the rebuilt packs alert like the originals, with the same columns', async () => {
    const { packs } = await loadPacks(['seed']);
    const rebuilt = packsFromSnapshot(structuredClone(snapshotPacks(packs)));
    const e = event({ Image: '/usr/bin/node', TargetFilename: '/home/dev/app/.github/workflows/ci.yml' });
    const run = (p: typeof packs) => {
      const out: Alert[] = [];
      new Detector(p).detect(e, 1, out);
      return out.map((a) => [a.rule.id, a.label, p[0]!.columns!.map((c) => c.get(e, a.label))]);
    };
    const original = run(packs);
    expect(original.length).toBeGreaterThan(0);
    expect(run(rebuilt)).toEqual(original);
  });
});
