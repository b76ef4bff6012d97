/**
 * `supplywatch stream --from nats://… --rules …`: a worker. It announces itself, takes the
 * leases of the partitions it prefers (leases.ts), consumes each through its own pipeline
 * (partition.ts), gives partitions up when another worker joins that prefers them, and takes
 * over those of workers that die. SIGTERM or SIGINT drains: every partition stops after the
 * message in hand, checkpoints, and releases its lease, so that others take over at once.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import { loadPacks } from '../alerts/pack.js';
import type { PipelineSpec } from '../alerts/pipeline.js';
import { UsageError } from '../errors.js';
import { terminalSafe } from '../outputs/escape.js';
import { makeFormatter } from '../outputs/formats.js';
import { formatProblem } from '../outputs/problems.js';
import { CheckpointStore } from './checkpoint.js';
import { connectTo, type ServerSpec } from './connect.js';
import { Membership } from './leases.js';
import { PartitionConsumer, type PartitionSettings, type StreamCounters } from './partition.js';
import { bucket, eventTopology, namesFor, outputTopology } from './topology.js';

export interface StreamPlan {
  server: ServerSpec;
  prefix: string;
  rules: string[];
  pipeline: PipelineSpec;
  replicas: number;
  /** Only when the events stream is created by this worker. */
  partitions?: number;
  inFlight: number;
  /** A dead worker's partitions move after this long. */
  leaseTtlMs: number;
  checkpointEveryEvents: number;
  checkpointEveryMs: number;
  duplicateWindowMs: number;
  /** Restart every partition from here with a fresh state (run it with the other workers stopped). */
  replayFrom?: { seq: number } | { time: number };
  quiet: boolean;
}

/** Runs until SIGTERM/SIGINT (or `stop`, for tests in-process); exit status 0 after a clean drain. */
export async function runStream(plan: StreamPlan, stop: AbortSignal = signalled()): Promise<number> {
  const names = namesFor(plan.prefix);
  const loaded = await loadPacks(plan.rules);
  for (const problem of loaded.rejected) process.stderr.write(`rule rejected: ${formatProblem(problem)}\n`);
  if (loaded.packs.every((p) => p.rules.length === 0 && (p.correlations?.length ?? 0) === 0)) throw new UsageError('no rule could be loaded');
  const id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const log = (line: string) => {
    if (!plan.quiet) process.stderr.write(`supplywatch stream ${terminalSafe(id)}: ${terminalSafe(line)}\n`);
  };
  const nc = await connectTo({ ...plan.server, name: id }, '--from');
  try {
    const topology = await eventTopology(nc, names, { replicas: plan.replicas, partitions: plan.partitions });
    await outputTopology(topology, { replicas: plan.replicas, duplicateWindowMs: plan.duplicateWindowMs });
    const kv = (name: string, ttl?: number) => bucket(topology.kvm, name, { replicas: plan.replicas, history: 1, ...(ttl ? { ttl } : {}) });
    // A chunk of checkpoint state leaves room for the message's own headers.
    const checkpoints = new CheckpointStore(await kv(names.checkpoints), Math.max(64 * 1024, nc.info!.max_payload - 16 * 1024));
    if (plan.replayFrom) {
      for (let p = 0; p < topology.partitions; p += 1) await (await checkpoints.claim(p, id)).reset(plan.replayFrom);
      log(`every partition restarts from ${'seq' in plan.replayFrom ? `sequence ${plan.replayFrom.seq}` : new Date(plan.replayFrom.time).toISOString()}`);
    }
    const membership = new Membership(await kv(names.workers, plan.leaseTtlMs), await kv(names.leases, plan.leaseTtlMs), id);
    const counters: StreamCounters = { messages: 0, alerts: 0, duplicates: 0, deadLetters: 0 };
    const settings: PartitionSettings = {
      js: jetstream(nc), jsm: topology.jsm, names, packs: loaded.packs, spec: plan.pipeline,
      formatter: makeFormatter({ format: 'jsonl' }, loaded.packs), checkpoints, owner: id, inFlight: plan.inFlight, maxPayload: nc.info!.max_payload,
      checkpointEveryEvents: plan.checkpointEveryEvents, checkpointEveryMs: plan.checkpointEveryMs, log, counters,
    };
    const owned = new Map<number, { consumer: PartitionConsumer; revision: number }>();
    log(`joined: ${topology.partitions} partitions, lease ${plan.leaseTtlMs} ms`);
    const tickMs = Math.max(100, Math.floor(plan.leaseTtlMs / 4));
    const stopped = new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
    while (!stop.aborted) {
      await rebalance(topology.partitions, membership, owned, settings, log);
      await Promise.race([sleep(tickMs), stopped]);
    }
    log('draining');
    await Promise.all([...owned].map(async ([p, { consumer, revision }]) => {
      await consumer.stop(true).catch((err: Error) => log(`partition ${p}: final checkpoint failed: ${err.message}`));
      await membership.release(p, revision);
    }));
    await membership.leave();
    log(`stopped: ${counters.messages} messages, ${counters.alerts} alerts stored, ${counters.duplicates} already stored, ${counters.deadLetters} dead letters`);
    return 0;
  } finally {
    await nc.drain().catch(() => nc.close());
  }
}

/** What a round needs of a partition's consumer. */
type HeldConsumer = Pick<PartitionConsumer, 'failed' | 'tick' | 'stop'>;
type Owned = Map<number, { consumer: HeldConsumer; revision: number }>;

/**
 * One round: heartbeat, then each partition on its own: renew or give up what is held, take what
 * this worker should hold and is free. Side by side: a renewal waits neither for another's round
 * trip nor for a consumer being stopped, which could outlast the leases of all the others.
 */
export async function rebalance(
  partitions: number,
  membership: Pick<Membership, 'id' | 'heartbeat' | 'live' | 'assignment' | 'renew' | 'release' | 'acquire'>,
  owned: Owned,
  settings: PartitionSettings,
  log: (line: string) => void,
): Promise<void> {
  try {
    await membership.heartbeat();
    const live = await membership.live();
    const owners = membership.assignment(partitions, live.includes(membership.id) ? live : [...live, membership.id].sort());
    await Promise.all(Array.from({ length: partitions }, (_, p) => keepOrTake(p, owners[p], membership, owned, settings, log)));
  } catch (err) {
    // The server is away (a cluster member restarting): the next round tries again; leases last longer than a round.
    log(`round failed: ${(err as Error).message}`);
  }
}

async function keepOrTake(
  p: number,
  preferred: string | undefined,
  membership: Pick<Membership, 'id' | 'renew' | 'release' | 'acquire'>,
  owned: Owned,
  settings: PartitionSettings,
  log: (line: string) => void,
): Promise<void> {
  const held = owned.get(p);
  if (!held) {
    if (preferred === membership.id) await take(p, membership, owned, settings, log);
    return;
  }
  try {
    held.revision = await membership.renew(p, held.revision);
  } catch {
    log(`partition ${p}: lease lost`);
    owned.delete(p);
    await held.consumer.stop(false);
    return;
  }
  if (held.consumer.failed || preferred !== membership.id) {
    owned.delete(p);
    await held.consumer.stop(!held.consumer.failed).catch(() => {});
    await membership.release(p, held.revision);
    log(`partition ${p}: released${held.consumer.failed ? ' after a failure, to be taken again from its checkpoint' : ` to ${preferred}`}`);
    return;
  }
  held.consumer.tick();
}

async function take(
  p: number,
  membership: Pick<Membership, 'acquire' | 'release'>,
  owned: Owned,
  settings: PartitionSettings,
  log: (line: string) => void,
): Promise<void> {
  const revision = await membership.acquire(p);
  if (revision === undefined) return;
  const consumer = new PartitionConsumer(settings, p);
  try {
    await consumer.start();
    owned.set(p, { consumer, revision });
  } catch (err) {
    log(`partition ${p}: cannot start: ${(err as Error).message}`);
    await consumer.stop(false);
    await membership.release(p, revision);
  }
}

function signalled(): AbortSignal {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGTERM', abort);
  process.once('SIGINT', abort);
  return controller.signal;
}
