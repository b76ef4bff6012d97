/**
 * Which worker owns which partition. Workers announce themselves in a KV bucket whose entries
 * expire (`PREFIX-workers`), and hold one lease per partition they consume in another
 * (`PREFIX-leases`): a lease is created only if absent, renewed by compare-and-set, and expires
 * when its holder stops renewing it (a dead worker), so another worker takes the partition over.
 *
 * Each partition has a preferred owner among the live workers (rendezvous hashing of worker id
 * and partition, bounded to an even share each: `assignment`): when a worker joins or leaves,
 * few partitions move. A worker releases (after a checkpoint) the partitions it holds but no longer prefers,
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

  /**
   * The live worker that should own each partition: partitions in order, each to the worker that
   * ranks highest for it (rendezvous hashing of worker and partition) among those that hold fewer
   * than their share (⌊partitions / workers⌋, or one more for as many workers as the division
   * leaves over). Every worker computes the same from the same live
   * list; a join or a leave moves few partitions, and no worker is left without one while there
   * are enough.
   */
  assignment(partitions: number, live: readonly string[]): string[] {
    // Each worker holds `base` partitions, and the first `extra` to reach it one more.
    const base = Math.floor(partitions / Math.max(1, live.length));
    let extra = partitions - base * live.length;
    const load = new Map(live.map((id) => [id, 0]));
    const owners: string[] = [];
    for (let p = 0; p < partitions; p += 1) {
      let best: string | undefined;
      let bestScore = -1;
      for (const id of live) {
        const held = load.get(id)!;
        if (held > base || (held === base && extra === 0)) continue;
        const score = hash('sha256', `${id}\0${p}`, 'buffer').readUInt32BE(0);
        if (score > bestScore || (score === bestScore && id < best!)) [best, bestScore] = [id, score];
      }
      owners.push(best!);
      if (load.get(best!)! === base) extra -= 1;
      load.set(best!, load.get(best!)! + 1);
    }
    return owners;
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
