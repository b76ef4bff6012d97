/**
 * Checkpoints of partitions in a KV bucket: the pipeline state (alerts/pipeline.ts snapshot,
 * gzipped JSON) and the stream sequence it reflects, so that whoever owns the partition next
 * resumes there and replays only what came after.
 *
 * Key `p<N>` holds a small header (sequence, owner, and where the state is); the state itself is
 * in chunks `p<N>.<generation>.<i>` no larger than a message may be. A save writes the chunks of
 * a new generation first, then the header, so a reader never sees a half-written state; the old
 * generation is purged after. Fencing: a worker that takes a partition over rewrites the header
 * at once (claim), and every save is a compare-and-set on the header's revision, so a worker that
 * lost its lease without knowing (paused, cut off) can never overwrite the new owner's
 * checkpoint: its save fails and it stops.
 */
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { KV } from '@nats-io/kv';
import type { PipelineSnapshot } from '../alerts/pipeline.js';

const gzipped = promisify(gzip);
const gunzipped = promisify(gunzip);

interface Header {
  /** The last stream sequence the state reflects (0: none yet). */
  seq: number;
  /** A replay from a time (--replay-from): consume from this ISO time, with a fresh state. */
  startTime?: string;
  owner: string;
  /** Generation of the state chunks; absent: no state yet. */
  gen?: string;
  chunks: number;
  /** ISO time of the save, for operators. */
  saved?: string;
}

export interface Checkpoint {
  seq: number;
  startTime?: string;
  state?: PipelineSnapshot;
}

/** A save refused because another worker claimed the partition since. */
export class FencedError extends Error {}

/** A stored checkpoint whose state is not there or not readable (as opposed to a store that did not answer). */
class DamagedCheckpoint extends Error {}

export class CheckpointStore {
  constructor(private readonly kv: KV, private readonly chunkBytes: number) {}

  /** Takes the partition's checkpoint over for `owner`, fencing out saves of any earlier owner. */
  async claim(partition: number, owner: string): Promise<PartitionCheckpoint> {
    const key = `p${partition}`;
    for (;;) {
      const entry = await this.kv.get(key);
      if (!entry || entry.operation !== 'PUT') {
        const header: Header = { seq: 0, owner, chunks: 0 };
        let revision: number;
        try {
          revision = await this.kv.create(key, JSON.stringify(header));
        } catch (err) {
          // Another worker created it first: take theirs over. Anything else is not a race.
          if (!(await this.kv.get(key))) throw err;
          continue;
        }
        return new PartitionCheckpoint(this.kv, key, this.chunkBytes, header, revision, undefined);
      }
      // A checkpoint that cannot be read (a torn header, a lost chunk, bad gzip) must not block its
      // partition for good: it resumes after the sequence the header names, if any, with a fresh
      // state, and says so; the next save writes a new generation.
      let header: Header;
      let state: PipelineSnapshot | undefined;
      let damaged: string | undefined;
      try {
        header = JSON.parse(entry.string()) as Header;
      } catch (err) {
        header = { seq: 0, owner, chunks: 0 };
        damaged = `header unreadable (${(err as Error).message})`;
      }
      try {
        state = damaged === undefined ? await this.readState(key, header) : undefined;
      } catch (err) {
        // A read that failed (a timeout while the cluster elects a leader) is no damage: resuming
        // with a fresh state would lose the process trees the state holds. The claim fails, and
        // the partition is taken again later.
        if (!(err instanceof DamagedCheckpoint)) throw err;
        damaged = err.message;
        header = { seq: header.seq, owner, chunks: 0 };
      }
      let revision: number;
      try {
        revision = await this.kv.update(key, JSON.stringify({ ...header, owner }), entry.revision);
      } catch (err) {
        // Another worker claimed it since (the revision moved): read theirs. Anything else is not a race.
        if ((await this.kv.get(key))?.revision === entry.revision) throw err;
        continue;
      }
      return new PartitionCheckpoint(this.kv, key, this.chunkBytes, { ...header, owner }, revision, state, damaged);
    }
  }

  private async readState(key: string, header: Header): Promise<PipelineSnapshot | undefined> {
    if (header.gen === undefined) return undefined;
    const parts: Uint8Array[] = [];
    for (let i = 0; i < header.chunks; i += 1) {
      const chunk = await this.kv.get(`${key}.${header.gen}.${i}`);
      if (!chunk || chunk.operation !== 'PUT') throw new DamagedCheckpoint(`checkpoint ${key}: chunk ${i} of generation ${header.gen} is missing`);
      parts.push(chunk.value);
    }
    try {
      return JSON.parse((await gunzipped(Buffer.concat(parts))).toString('utf8')) as PipelineSnapshot;
    } catch (err) {
      throw new DamagedCheckpoint(`checkpoint ${key}: state of generation ${header.gen} unreadable (${(err as Error).message})`);
    }
  }
}

export class PartitionCheckpoint {
  constructor(
    private readonly kv: KV,
    private readonly key: string,
    private readonly chunkBytes: number,
    private header: Header,
    private revision: number,
    readonly state: PipelineSnapshot | undefined,
    /** Why the stored checkpoint could not be used, when it could not. */
    readonly damaged?: string,
  ) {}

  /** Where consumption resumes: after `seq`, or from `startTime` when nothing was consumed since a replay was asked for. */
  get position(): Checkpoint {
    return { seq: this.header.seq, ...(this.header.startTime !== undefined ? { startTime: this.header.startTime } : {}) };
  }

  /**
   * Saves the state as of stream sequence `seq`, serialized (`JSON.stringify` of a
   * PipelineSnapshot) when it was taken; a FencedError when another worker claimed the partition.
   */
  async save(seq: number, state: string): Promise<void> {
    const bytes = await gzipped(state);
    const gen = randomUUID().replaceAll('-', '');
    const chunks = Math.max(1, Math.ceil(bytes.length / this.chunkBytes));
    for (let i = 0; i < chunks; i += 1) await this.kv.put(`${this.key}.${gen}.${i}`, bytes.subarray(i * this.chunkBytes, (i + 1) * this.chunkBytes));
    const old = this.header;
    const header: Header = { seq, owner: old.owner, gen, chunks, saved: new Date().toISOString() };
    await this.writeHeader(header).catch(async (err) => {
      // An update that timed out (the cluster electing a leader) may have been applied all the
      // same: the stored header says which. Chunks it names are never purged; those of an update
      // the store refused are nobody's.
      const stored = await this.kv.get(this.key).catch(() => undefined);
      if (stored?.operation === 'PUT' && generationOf(stored.string()) === gen) {
        this.header = header;
        this.revision = stored.revision;
        return;
      }
      if (stored !== undefined) await this.purge(gen, chunks);
      throw err;
    });
    if (old.gen !== undefined) await this.purge(old.gen, old.chunks);
  }

  /** A replay (--replay-from): the partition restarts from a sequence or a time with a fresh state. */
  async reset(start: { seq: number } | { time: number }): Promise<void> {
    const old = this.header;
    await this.writeHeader({ owner: old.owner, chunks: 0, ...('seq' in start ? { seq: start.seq - 1 } : { seq: 0, startTime: new Date(start.time).toISOString() }) });
    if (old.gen !== undefined) await this.purge(old.gen, old.chunks);
  }

  private async writeHeader(header: Header): Promise<void> {
    try {
      this.revision = await this.kv.update(this.key, JSON.stringify(header), this.revision);
    } catch (err) {
      throw new FencedError(`checkpoint ${this.key}: claimed by another worker (${(err as Error).message})`);
    }
    this.header = header;
  }

  private async purge(gen: string, chunks: number): Promise<void> {
    for (let i = 0; i < chunks; i += 1) await this.kv.purge(`${this.key}.${gen}.${i}`);
  }
}

function generationOf(header: string): string | undefined {
  try {
    return (JSON.parse(header) as Header).gen;
  } catch {
    return undefined;
  }
}
