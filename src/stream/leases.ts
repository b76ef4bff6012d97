/**
 * Which worker owns which partition. Workers announce themselves in a KV bucket whose entries
 * expire (`PREFIX-workers`), and hold one lease per partition they consume in another
 * (`PREFIX-leases`): a lease is created only if absent, renewed by compare-and-set, and expires
 * when its holder stops renewing it (a dead worker), so another worker takes the partition over.
 *
 * Each partition has a preferred owner among the live workers (rendezvous hashing of worker id
 * and partition): when a worker joins or leaves, only the partitions whose preference changed
 * move. A worker releases (after a checkpoint) the partitions it holds but no longer prefers,
 * and takes the ones it prefers as soon as they are free.
 */
import { hash } from 'node:crypto';
import type { KV } from '@nats-io/kv';

export class Membership {
  constructor(private readonly workers: KV, private readonly leases: KV, readonly id: string) {}

  /** Announces (or keeps announcing) this worker; call at least once per TTL. */
  async heartbeat(): Promise<void> {
    await this.workers.put(this.id, new Date().toISOString());
  }

  /** The workers whose announcement has not expired, sorted. */
  async live(): Promise<string[]> {
    const ids: string[] = [];
    for await (const key of await this.workers.keys()) ids.push(key);
    return ids.sort();
  }

  /** The live worker that should own `partition`. */
  preferred(partition: number, live: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestScore = -1;
    for (const id of live) {
      const score = hash('sha256', `${id}\0${partition}`, 'buffer').readUInt32BE(0);
      if (score > bestScore || (score === bestScore && id < best!)) [best, bestScore] = [id, score];
    }
    return best;
  }

  /** The lease's revision when this worker got it; undefined when another worker holds it. */
  async acquire(partition: number): Promise<number | undefined> {
    return this.leases.create(leaseKey(partition), this.id).catch(() => undefined);
  }

  /** The renewed lease's revision; throws when the lease was lost (expired and taken, or deleted). */
  async renew(partition: number, revision: number): Promise<number> {
    return this.leases.update(leaseKey(partition), this.id, revision);
  }

  async release(partition: number, revision: number): Promise<void> {
    await this.leases.delete(leaseKey(partition), { previousSeq: revision }).catch(() => {});
  }

  async leave(): Promise<void> {
    await this.workers.delete(this.id).catch(() => {});
  }
}

function leaseKey(partition: number): string {
  return `p${partition}`;
}
