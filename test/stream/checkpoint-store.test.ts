/**
 * Checkpoints when the KV store does not answer (a cluster electing a new leader after a server
 * died): a read or a header update that timed out is not a damaged checkpoint. Taking it for one
 * resumed the partition with a fresh state, and every alert after it lost its process ancestry
 * and install context (seen once in test/stream/cluster.test.ts). The store here is a model of
 * the KV bucket's operations the checkpoints use, whose failures the test decides.
 */
import type { KV } from '@nats-io/kv';
import { describe, expect, it } from 'vitest';
import { CheckpointStore, FencedError } from '../../src/stream/checkpoint.js';

interface Stored {
  value: Uint8Array;
  revision: number;
}

class ModelKv {
  readonly entries = new Map<string, Stored>();
  private revision = 0;
  /** Keys whose reads time out. */
  readonly unreadable = new Set<string>();
  /** The next header update: applied but its answer lost, or refused. */
  nextUpdate: 'ok' | 'applied-then-timeout' | 'timeout' = 'ok';

  async get(key: string) {
    if (this.unreadable.has(key)) throw new Error('TIMEOUT');
    const e = this.entries.get(key);
    return e && { value: e.value, revision: e.revision, operation: 'PUT', string: () => Buffer.from(e.value).toString('utf8') };
  }
  async create(key: string, value: string | Uint8Array) {
    if (this.entries.has(key)) throw new Error('wrong last sequence');
    return this.write(key, value);
  }
  async update(key: string, value: string | Uint8Array, revision: number) {
    const mode = this.nextUpdate;
    this.nextUpdate = 'ok';
    if (mode === 'timeout') throw new Error('TIMEOUT');
    if (this.entries.get(key)?.revision !== revision) throw new Error('wrong last sequence');
    const written = this.write(key, value);
    if (mode === 'applied-then-timeout') throw new Error('TIMEOUT');
    return written;
  }
  async put(key: string, value: string | Uint8Array) {
    return this.write(key, value);
  }
  async purge(key: string) {
    this.entries.delete(key);
  }
  private write(key: string, value: string | Uint8Array): number {
    this.revision += 1;
    this.entries.set(key, { value: typeof value === 'string' ? Buffer.from(value) : value, revision: this.revision });
    return this.revision;
  }
}

const STATE = { enricher: { tree: { processes: ['npm install evil'] } } };

async function savedCheckpoint(kv: ModelKv, seq = 42) {
  const store = new CheckpointStore(kv as unknown as KV, 1024);
  const checkpoint = await store.claim(0, 'worker-a');
  await checkpoint.save(seq, JSON.stringify(STATE));
  return store;
}

const chunkKeys = (kv: ModelKv) => [...kv.entries.keys()].filter((k) => k.startsWith('p0.'));

describe('checkpoint store when the KV store does not answer', () => {
  it('a state chunk that cannot be read now fails the claim (taken again later); a missing one resumes with a fresh state', async () => {
    const kv = new ModelKv();
    const store = await savedCheckpoint(kv);
    const [chunk] = chunkKeys(kv);
    expect(chunk).toBeDefined();
    kv.unreadable.add(chunk!);
    await expect(store.claim(0, 'worker-b')).rejects.toThrow('TIMEOUT');
    kv.unreadable.clear();
    const resumed = await store.claim(0, 'worker-b');
    expect(resumed.state).toEqual(STATE);
    expect(resumed.position.seq).toBe(42);
    kv.entries.delete(chunk!);
    const damaged = await store.claim(0, 'worker-c');
    expect(damaged.state).toBeUndefined();
    expect(damaged.damaged).toMatch(/chunk 0 of generation \w+ is missing/);
    expect(damaged.position.seq).toBe(42);
  });

  it('a header update applied but unanswered is a save: its chunks stay, and the next owner resumes from them', async () => {
    const kv = new ModelKv();
    const store = new CheckpointStore(kv as unknown as KV, 1024);
    const checkpoint = await store.claim(0, 'worker-a');
    await checkpoint.save(10, JSON.stringify({ first: true }));
    kv.nextUpdate = 'applied-then-timeout';
    await checkpoint.save(20, JSON.stringify(STATE));
    expect(chunkKeys(kv)).toHaveLength(1); // the first generation purged, the second kept
    const next = await store.claim(0, 'worker-b');
    expect(next.damaged).toBeUndefined();
    expect(next.state).toEqual(STATE);
    expect(next.position.seq).toBe(20);
  });

  it('a header update refused (another owner, or not applied) fails the save and leaves the stored checkpoint whole', async () => {
    const kv = new ModelKv();
    const store = new CheckpointStore(kv as unknown as KV, 1024);
    const checkpoint = await store.claim(0, 'worker-a');
    await checkpoint.save(10, JSON.stringify(STATE));
    kv.nextUpdate = 'timeout';
    await expect(checkpoint.save(20, JSON.stringify({ later: true }))).rejects.toBeInstanceOf(FencedError);
    expect(chunkKeys(kv)).toHaveLength(1); // the unwritten generation's chunks purged
    const next = await store.claim(0, 'worker-b');
    expect(next.state).toEqual(STATE);
    expect(next.position.seq).toBe(10);
  });
});
