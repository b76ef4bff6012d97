import { describe, expect, it } from 'vitest';
import type { PartitionSettings } from '../../src/stream/partition.js';
import { rebalance } from '../../src/stream/worker.js';

/** A lease store whose answers take `delayMs`, counting the renewals in flight at once. */
function slowMembership(delayMs: number) {
  const seen = { inFlight: 0, maxInFlight: 0, renewed: [] as number[], released: [] as number[] };
  const wait = () => new Promise((r) => setTimeout(r, delayMs));
  const membership = {
    id: 'me',
    heartbeat: async () => {},
    live: async () => ['me', 'other'],
    // Partitions 0–3 stay here; 4 goes to the other worker.
    assignment: (partitions: number) => Array.from({ length: partitions }, (_, p) => (p < 4 ? 'me' : 'other')),
    renew: async (p: number, revision: number) => {
      seen.inFlight += 1;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      await wait();
      seen.inFlight -= 1;
      seen.renewed.push(p);
      return revision + 1;
    },
    release: async (p: number) => void seen.released.push(p),
    acquire: async () => undefined,
  };
  return { membership, seen };
}

/** A consumer whose stop takes `stopMs` (its last checkpoint, a slow server). */
const consumer = (stopMs = 0) => ({ failed: false, ticks: 0, tick() { this.ticks += 1; }, stop: () => new Promise<void>((r) => setTimeout(r, stopMs)) });

describe('a stream worker round', () => {
  it('renews its leases side by side, and a partition given up with a slow stop delays none of them', async () => {
    const { membership, seen } = slowMembership(40);
    const held = [0, 1, 2, 3].map(() => consumer());
    const leaving = consumer(400);
    const owned = new Map([...held.map((c, p) => [p, { consumer: c, revision: 1 }] as const), [4, { consumer: leaving, revision: 1 }]]);
    let renewedBeforeStop = -1;
    const stop = leaving.stop;
    leaving.stop = async () => {
      await stop();
      renewedBeforeStop = seen.renewed.filter((p) => p < 4).length;
    };
    await rebalance(5, membership, owned, {} as PartitionSettings, () => {});
    expect(seen.maxInFlight).toBe(5);
    // The four kept were renewed while the fifth was still stopping.
    expect(renewedBeforeStop).toBe(4);
    expect(held.map((c) => c.ticks)).toEqual([1, 1, 1, 1]);
    expect(seen.released).toEqual([4]);
    expect([...owned.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect([...owned.values()].map((o) => o.revision)).toEqual([2, 2, 2, 2]);
  });
});
