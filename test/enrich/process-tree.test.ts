import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/enrich/limits.js';
import { NONE, ProcessTree } from '../../src/enrich/process-tree.js';

const start = (tree: ProcessTree, guid: string, time: number) =>
  tree.start({ kind: 'start', host: 'h', time, self: { guid }, parent: {}, image: `C:\\${guid}.exe` });

describe('process tree cap', () => {
  it('evicts the oldest started first, across thousands of evictions and processes started again', () => {
    const tree = new ProcessTree({ ...LIMITS, maxProcesses: 5 });
    // Past the eviction queue's compaction point (1,024 passed entries) several times.
    for (let i = 0; i < 5000; i += 1) {
      start(tree, `g${i}`, i);
      // A process logged again (same guid) moves to the back: it must not be evicted as old.
      if (i % 7 === 0) start(tree, 'again', i);
    }
    const kept = [...tree.inLookup()].map((p) => p.guid);
    expect(kept).toEqual(['g4996', 'g4997', 'g4998', 'again', 'g4999']); // 4998 = 7 × 714
    expect(tree.find('h', { guid: 'g4995' }, 5000)).toBe(NONE);
    expect(tree.view(tree.find('h', { guid: 'g4999' }, 5000)).image).toBe('C:\\g4999.exe');
  });

  it('keeps its eviction queue bounded when exits, not the cap, remove processes', () => {
    const tree = new ProcessTree({ ...LIMITS, maxProcesses: 5, exitGraceMs: 1 });
    for (let i = 0; i < 20_000; i += 1) {
      start(tree, `g${i}`, i * 10);
      tree.end({ kind: 'end', host: 'h', time: i * 10 + 1, self: { guid: `g${i}` } });
    }
    expect(tree.size).toBeLessThanOrEqual(2); // the cap never evicted anything
    // It must not keep every process ever started.
    expect(tree.slotsHeld).toBeLessThan(2_000);
  });
});
