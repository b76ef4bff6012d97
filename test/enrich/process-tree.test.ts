import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/enrich/limits.js';
import { emptyTree, ProcessTree } from '../../src/enrich/process-tree.js';

const start = (tree: ProcessTree, guid: string, time: number) =>
  tree.start({ kind: 'start', host: 'h', time, self: { guid }, parent: {}, image: `C:\\${guid}.exe` });

describe('process tree cap', () => {
  it('evicts the oldest started first, across thousands of evictions and processes started again', () => {
    const tree = new ProcessTree(emptyTree(), { ...LIMITS, maxProcesses: 5 });
    // Past the eviction queue's compaction point (1,024 passed entries) several times.
    for (let i = 0; i < 5000; i += 1) {
      start(tree, `g${i}`, i);
      // A process logged again (same guid) moves to the back: it must not be evicted as old.
      if (i % 7 === 0) start(tree, 'again', i);
    }
    const kept = [...tree.data.nodes.keys()].map((k) => k.split(':')[1]);
    expect(kept).toEqual(['g4996', 'g4997', 'g4998', 'again', 'g4999']); // 4998 = 7 × 714
    expect(tree.find('h', { guid: 'g4995' }, 5000)).toBeUndefined();
    expect(tree.find('h', { guid: 'g4999' }, 5000)?.image).toBe('C:\\g4999.exe');
  });

  it('keeps its eviction queue bounded when exits, not the cap, remove processes', () => {
    const tree = new ProcessTree(emptyTree(), { ...LIMITS, maxProcesses: 5, exitGraceMs: 1 });
    for (let i = 0; i < 20_000; i += 1) {
      start(tree, `g${i}`, i * 10);
      tree.end({ kind: 'end', host: 'h', time: i * 10 + 1, self: { guid: `g${i}` } });
    }
    expect(tree.data.nodes.size).toBeLessThanOrEqual(2); // the cap never evicted anything
    // White-box: the queue is private; it must not keep every process ever started.
    const queued = (tree as unknown as { order: unknown[] }).order.length;
    expect(queued).toBeLessThan(2_000);
  });
});
