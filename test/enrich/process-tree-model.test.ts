import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ancestor } from '../../src/enrich/enricher.js';
import { LIMITS, type Limits } from '../../src/enrich/limits.js';
import { NONE, ProcessTree } from '../../src/enrich/process-tree.js';
import type { ProcessEnd, ProcessId, ProcessStart } from '../../src/enrich/records.js';
import { emptyTree, ReferenceTree, referenceAncestors, referenceView, type ProcNode } from './reference-process-tree.js';

/**
 * The compact table against the Map-of-objects tree it replaced (reference-process-tree.ts):
 * random starts and ends over a few hosts, guids and pids (so processes are started again,
 * pids reused, parents seen after children, cycles made), times out of order, and limits small
 * enough that the cap evicts, exits expire, orphans are forgotten and the sweep frees slots many
 * times per run. After every record, every id is looked up in both at several times: the same
 * process must be found, with the same view and the same ancestors (what the enricher reads, so
 * the enriched events are the same).
 */
const HOSTS = ['ws-1', 'ws-2'];
const GUIDS = ['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6'];
const PIDS = [1, 2, 3, 4, 5];
const TEXTS = ['C:\\Program Files\\nodejs\\node.exe', 'npm install left-pad', 'sh -c "node x.js"', '/usr/bin/pip', 'ünïcödé ✓', 'lone \ud800 surrogate', ''];
const IDS: ProcessId[] = [...GUIDS.map((guid) => ({ guid })), ...PIDS.map((pid) => ({ pid }))];

const id = fc.oneof(
  fc.record({ guid: fc.constantFrom(...GUIDS) }),
  fc.record({ pid: fc.constantFrom(...PIDS) }),
  fc.record({ guid: fc.constantFrom(...GUIDS), pid: fc.constantFrom(...PIDS) }),
  fc.constant({}),
);
const text = fc.option(fc.constantFrom(...TEXTS), { nil: undefined });
/** Time steps: mostly forward, sometimes back (out-of-order sources), sometimes none. */
const step = fc.option(fc.integer({ min: -4, max: 12 }), { nil: undefined, freq: 12 });
const start = fc.record({
  kind: fc.constant('start' as const), host: fc.constantFrom(...HOSTS), step, self: id, parent: id,
  image: text, commandLine: text, cwd: text, parentImage: text, parentCommandLine: text,
});
const end = fc.record({ kind: fc.constant('end' as const), host: fc.constantFrom(...HOSTS), step, self: id });
const limits = fc.record({
  maxProcesses: fc.integer({ min: 1, max: 8 }),
  maxDepth: fc.integer({ min: 1, max: 6 }),
  exitGraceMs: fc.integer({ min: 0, max: 30 }),
  reorderMs: fc.integer({ min: 0, max: 30 }),
  pidSkewMs: fc.integer({ min: 0, max: 6 }),
  maxOrphans: fc.integer({ min: 1, max: 5 }),
});

/** An ancestor's fields, undefined ones left out (the compact views also carry a cached analysis). */
function plain(a: Ancestor): Record<string, unknown> {
  const { image, commandLine, cwd, pid, guid, start: time } = a;
  return Object.fromEntries(Object.entries({ image, commandLine, cwd, pid, guid, start: time }).filter(([, v]) => v !== undefined));
}

function lookups(tree: ProcessTree, ref: ReferenceTree, maxDepth: number, now: number): string | undefined {
  for (const host of HOSTS) {
    for (const pid of IDS) {
      for (const time of [now - 7, now, now + 7, undefined]) {
        const r: ProcNode | undefined = ref.find(host, pid, time);
        const c = tree.find(host, pid, time);
        const expected = r ? JSON.stringify([plain(referenceView(r)), referenceAncestors(r, maxDepth).map(plain)]) : 'none';
        const actual = c !== NONE ? JSON.stringify([plain(tree.view(c)), tree.ancestors(c, maxDepth).map(plain)]) : 'none';
        if (actual !== expected) return `${host} ${JSON.stringify(pid)} at ${time}: expected ${expected}, got ${actual}`;
      }
    }
  }
  const expectedOrder = JSON.stringify([...ref.data.nodes.values()].map((n) => plain(referenceView(n))));
  const actualOrder = JSON.stringify([...tree.inLookup()].map(plain));
  if (actualOrder !== expectedOrder) return `lookup order: expected ${expectedOrder}, got ${actualOrder}`;
  return undefined;
}

describe('compact process tree against the Map-of-objects model', () => {
  it('finds the same processes with the same views and ancestry after every record, evictions and sweeps included', () => {
    let sweptRuns = 0;
    fc.assert(
      fc.property(limits, fc.array(fc.oneof({ arbitrary: start, weight: 4 }, { arbitrary: end, weight: 1 }), { minLength: 100, maxLength: 400 }), (small, records) => {
        const lim: Limits = { ...LIMITS, ...small };
        const tree = new ProcessTree(lim);
        const ref = new ReferenceTree(emptyTree(), lim);
        let clock = 1_000;
        let mostHeld = 0;
        for (const [i, { step: dt, ...rec }] of records.entries()) {
          if (dt !== undefined) clock += dt;
          const time = dt === undefined ? undefined : clock;
          if (rec.kind === 'start') {
            const full = { ...rec, time } as ProcessStart;
            tree.start(full);
            ref.start(structuredClone(full));
          } else {
            const full = { ...rec, time } as ProcessEnd;
            tree.end(full);
            ref.end(structuredClone(full));
          }
          mostHeld = Math.max(mostHeld, tree.slotsHeld);
          const problem = lookups(tree, ref, lim.maxDepth, clock);
          if (problem) throw new Error(`after record ${i} (${JSON.stringify(rec)} at ${time}): ${problem}`);
          expect(tree.size).toBe(ref.data.nodes.size);
        }
        if (tree.slotsHeld < mostHeld) sweptRuns++;
      }),
      { numRuns: 100 },
    );
    expect(sweptRuns).toBeGreaterThan(30); // the sweep freed slots in most runs
  }, 120_000);
});

describe('sweep', () => {
  const chain = (tree: ProcessTree, n: number, host = 'h') => {
    for (let i = 1; i <= n; i++) tree.start({ kind: 'start', host, time: i, self: { guid: `p${i}` }, parent: { guid: `p${i - 1}` }, image: `img${i}` });
  };

  it('keeps evicted ancestors up to maxDepth above the processes in lookup, and frees the rest', () => {
    const tree = new ProcessTree({ ...LIMITS, maxProcesses: 3, maxDepth: 10 });
    chain(tree, 5_000);
    const newest = tree.find('h', { guid: 'p5000' }, 5_000);
    expect(tree.ancestors(newest, 10).map((a) => a.image)).toEqual(['img4999', 'img4998', 'img4997', 'img4996', 'img4995', 'img4994', 'img4993', 'img4992', 'img4991', 'img4990']);
    expect(tree.find('h', { guid: 'p4990' }, 5_000)).toBe(NONE); // evicted from lookup, still an ancestor
    // In lookup 3, their 12 ancestors within reach, and what grew since the last sweep (64 at most here).
    expect(tree.slotsHeld).toBeLessThanOrEqual(3 + 12 + 64);
  });

  it('frees parent cycles (A starts as B\'s child, then B as A\'s) once out of lookup', () => {
    const tree = new ProcessTree({ ...LIMITS, maxProcesses: 4, maxDepth: 32 });
    for (let i = 0; i < 3_000; i++) {
      tree.start({ kind: 'start', host: 'h', time: 2 * i, self: { guid: `a${i}` }, parent: { guid: `b${i}` }, image: 'a', parentImage: 'b' });
      tree.start({ kind: 'start', host: 'h', time: 2 * i + 1, self: { guid: `b${i}` }, parent: { guid: `a${i}` }, image: 'b' });
    }
    const last = tree.find('h', { guid: 'b2999' }, 6_000);
    expect(tree.ancestors(last, 4).map((a) => a.image)).toEqual(['a', 'b', 'a', 'b']);
    expect(tree.slotsHeld).toBeLessThanOrEqual(4 + 64 + 32);
  });
});

/** What an event can read of two trees: the same processes, views, ancestry and lookup order. */
function differences(a: ProcessTree, b: ProcessTree, maxDepth: number, now: number): string | undefined {
  const read = (tree: ProcessTree, host: string, pid: ProcessId, time: number | undefined) => {
    const slot = tree.find(host, pid, time);
    return slot === NONE ? 'none' : JSON.stringify([plain(tree.view(slot)), tree.ancestors(slot, maxDepth).map(plain)]);
  };
  for (const host of HOSTS) {
    for (const pid of IDS) {
      for (const time of [now - 7, now, now + 7, undefined]) {
        const [x, y] = [read(a, host, pid, time), read(b, host, pid, time)];
        if (x !== y) return `${host} ${JSON.stringify(pid)} at ${time}: ${x} against ${y}`;
      }
    }
  }
  const [x, y] = [a, b].map((tree) => JSON.stringify([...tree.inLookup()].map(plain)));
  return x === y ? undefined : `lookup order: ${x} against ${y}`;
}

describe('snapshot and restore (streaming checkpoints)', () => {
  it('a tree restored from a JSON snapshot taken at any record answers and evolves as the tree that was never cut', () => {
    fc.assert(
      fc.property(limits, fc.array(fc.oneof({ arbitrary: start, weight: 4 }, { arbitrary: end, weight: 1 }), { minLength: 60, maxLength: 250 }), fc.nat(), (small, records, cutSeed) => {
        const lim: Limits = { ...LIMITS, ...small };
        const whole = new ProcessTree(lim);
        let cut: ProcessTree | undefined;
        const cutAt = cutSeed % records.length;
        let clock = 1_000;
        for (const [i, { step: dt, ...rec }] of records.entries()) {
          if (i === cutAt) cut = ProcessTree.restored(lim, JSON.parse(JSON.stringify(whole.snapshot())));
          if (dt !== undefined) clock += dt;
          const time = dt === undefined ? undefined : clock;
          for (const tree of cut ? [whole, cut] : [whole]) {
            if (rec.kind === 'start') tree.start(structuredClone({ ...rec, time }) as ProcessStart);
            else tree.end(structuredClone({ ...rec, time }) as ProcessEnd);
          }
          if (!cut) continue;
          const problem = differences(whole, cut, lim.maxDepth, clock);
          if (problem) throw new Error(`cut at ${cutAt}, after record ${i} (${JSON.stringify(rec)} at ${time}): ${problem}`);
          expect(cut.size).toBe(whole.size);
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
