import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { MAX_TREE_PROCESSES } from '../../src/sensor/audit/event-builder.js';
import { HostResolver } from '../../src/sensor/resolver.js';
import { WatchProcessor } from '../../src/sensor/watch/processor.js';
import { INSTALL_EVERY, KEY, PROCESSES, processRecords, SETTLED } from '../../src/bench/watch.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('watch: a day of the whole machine replayed', () => {
  it('keeps only the package managers’ trees, and its memory flat', () => {
    const processor = new WatchProcessor(KEY, { host: 'h', userOf: (u) => u }, new HostResolver(new Map()), (b) => {
      throw new Error(`bad record: ${b.reason}`);
    });
    const kept: NormalizedEvent[] = [];
    let keptCount = 0;
    const heapAt: number[] = [];
    const chunk: string[] = [];
    for (let i = 0; i < PROCESSES; i++) {
      chunk.push(processRecords(i));
      if (chunk.length === 200) {
        processor.feed(chunk.join(''), kept);
        chunk.length = 0;
        keptCount += kept.length;
        kept.length = 0;
      }
      if (i === SETTLED || i === PROCESSES - 1) {
        gc();
        heapAt.push(process.memoryUsage().heapUsed);
      }
    }
    processor.feed(chunk.join(''), kept);
    processor.end(kept);
    keptCount += kept.length;
    const installs = Math.ceil(PROCESSES / INSTALL_EVERY);
    // npm's exec, sh's, curl's, and curl's file write: nothing of the cron jobs.
    expect(keptCount).toBe(installs * 4);
    expect(processor.outside).toBe(PROCESSES - installs);
    // Killed processes never say they ended: the tree is capped at its bound; every install ended.
    expect(processor.builder.table.size).toBe(MAX_TREE_PROCESSES);
    expect(processor.trees.size).toBe(0);
    // The rest of the day, once the cap is reached, adds no memory to speak of.
    expect(heapAt[1]! - heapAt[0]!).toBeLessThan(8 * 2 ** 20);
    // And what it holds is small: no record text is kept alive by the strings of the tree (with
    // substrings instead of copies, 139 MB here; 26 MB with copies, the test runner included).
    expect(heapAt[1]!).toBeLessThan(64 * 2 ** 20);
  }, 120_000);
});
