import { describe, expect, it } from 'vitest';
import { loadPacks } from '../../src/alerts/pack.js';
import { packsFromSnapshot, PrecompiledRules, snapshotPacks } from '../../src/alerts/pack-snapshot.js';
import { Detector } from '../../src/alerts/detector.js';
import type { Alert } from '../../src/alerts/alert.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import { SigmaRule } from '../../src/sigma/index.js';

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

describe('rules compiled by a worker while the main thread loads', () => {
  it('reach the worker one file at a time, in load order, and the rebuilt packs take each once', async () => {
    const files: string[][] = [];
    const { packs } = await loadPacks(['seed', 'seed'], { onFile: (rules) => files.push(rules.map((r) => `${r.file}:${r.line}`)) });
    const byPath = (a: { file: string; line: number }, b: { file: string; line: number }) => a.file.localeCompare(b.file) || a.line - b.line;
    expect(files.flat()).toEqual(packs.flatMap((p) => [...p.rules].sort(byPath)).map((r) => `${r.file}:${r.line}`));
    expect(files.length).toBe(2 * new Set(packs[0]!.rules.map((r) => r.file)).size);

    const snapshot = structuredClone(snapshotPacks(packs));
    // Compiled early from altered documents under the same file and line: the rebuilt pack shows which it took.
    const precompiled = new PrecompiledRules();
    precompiled.add(snapshot[0]!.rules.map((r) => ({ ...r, raw: { ...r.raw, title: `early ${String(r.raw.title)}` } })));
    const [first, second] = packsFromSnapshot(snapshot, precompiled);
    expect(first!.rules.map((r) => r.title)).toEqual(snapshot[0]!.rules.map((r) => `early ${String(r.raw.title)}`));
    // The same documents in a second pack: taken already, so compiled again from the snapshot.
    expect(second!.rules.map((r) => r.title)).toEqual(snapshot[1]!.rules.map((r) => String(r.raw.title)));
  });
});

describe('rules a worker takes from the main thread (RuleSource)', () => {
  it('keep the anchors the main thread found, and match the same', async () => {
    const { packs } = await loadPacks(['hardened']);
    const [rebuilt] = packsFromSnapshot(structuredClone(snapshotPacks(packs)));
    const original = packs[0]!.rules as SigmaRule[];
    expect((rebuilt!.rules as SigmaRule[]).map((r) => r.anchors)).toEqual(original.map((r) => r.anchors));
    expect(original.some((r) => r.anchors.length > 0)).toBe(true);
  });

  it('parse their detection at their first test only: the main thread checked it', () => {
    const raw = { title: 't', logsource: { category: 'process_creation' }, detection: { sel: { 'Image|sideways': 'x' }, condition: 'sel' } };
    expect(() => new SigmaRule(raw, 'r.yml', 1)).toThrow(/sideways/);
    const taken = new SigmaRule(raw, 'r.yml', 1, []);
    expect(taken.title).toBe('t');
    expect(() => taken.matches(event({ Image: 'x' }))).toThrow(/sideways/);
  });
});
