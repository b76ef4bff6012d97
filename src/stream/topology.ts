/**
 * The names and shapes of everything supplywatch keeps in JetStream, from one prefix:
 *
 * | what | kind | name | subjects / keys |
 * |---|---|---|---|
 * | telemetry | stream | `PREFIX-events` | `PREFIX.events.<partition>` |
 * | alerts | stream, deduplicated on `Nats-Msg-Id` | `PREFIX-alerts` | `PREFIX.alerts` |
 * | bad records | stream | `PREFIX-deadletter` | `PREFIX.deadletter` |
 * | partition count | KV | `PREFIX-config` | `partitions` |
 * | live workers | KV with TTL | `PREFIX-workers` | worker id |
 * | partition leases | KV with TTL | `PREFIX-leases` | `p<partition>` |
 * | checkpoints | KV | `PREFIX-checkpoints` | `p<partition>` and its chunks |
 *
 * Whoever comes first (`publish` or a worker) creates what is missing; the partition count is
 * fixed then, in the config bucket, so that publishers and workers agree on it.
 */
import { hash } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV, type KvOptions } from '@nats-io/kv';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { UsageError } from '../errors.js';
import { terminalSafe } from '../outputs/escape.js';

export const DEFAULT_PREFIX = 'supplywatch';
export const DEFAULT_PARTITIONS = 16;
/**
 * How long the alerts stream remembers an alert id: a redelivered or replayed event whose alert
 * was stored less than this ago is dropped as a duplicate. It must cover a replay since the last
 * checkpoint (docs/streaming.md#no-alert-doubled).
 */
export const DEFAULT_DUPLICATE_WINDOW_MS = 10 * 60_000;

export interface Names {
  prefix: string;
  events: string;
  alerts: string;
  deadLetter: string;
  alertSubject: string;
  deadLetterSubject: string;
  config: string;
  workers: string;
  leases: string;
  checkpoints: string;
  eventSubject(partition: number): string;
  /** A durable consumer of a partition on the events stream: each worker that takes the partition makes its own, `tag` naming it (consumers.ts). */
  consumer(partition: number, tag?: string): string;
}

export function namesFor(prefix: string): Names {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new UsageError(`--prefix: '${prefix}' must be letters, digits, - and _ (it names subjects, streams and buckets)`);
  return {
    prefix,
    events: `${prefix}-events`,
    alerts: `${prefix}-alerts`,
    deadLetter: `${prefix}-deadletter`,
    alertSubject: `${prefix}.alerts`,
    deadLetterSubject: `${prefix}.deadletter`,
    config: `${prefix}-config`,
    workers: `${prefix}-workers`,
    leases: `${prefix}-leases`,
    checkpoints: `${prefix}-checkpoints`,
    eventSubject: (partition) => `${prefix}.events.${partition}`,
    consumer: (partition, tag) => (tag === undefined ? `${prefix}-p${partition}` : `${prefix}-p${partition}-${tag}`),
  };
}

/** The partition of a host: the first 32 bits of SHA-256 of its name, modulo the count (no host: the empty name). */
export function partitionOf(host: string | undefined, partitions: number): number {
  return hash('sha256', host ?? '', 'buffer').readUInt32BE(0) % partitions;
}

export interface TopologyOptions {
  /** Stream and bucket replicas (a cluster: 3). */
  replicas: number;
  /** Used only when the config bucket has no count yet. */
  partitions?: number;
}

export interface Topology {
  nc: NatsConnection;
  jsm: JetStreamManager;
  kvm: Kvm;
  names: Names;
  partitions: number;
}

/** The events stream and the partition count, created when absent; a usage error when `partitions` disagrees with the stored count. */
export async function eventTopology(nc: NatsConnection, names: Names, options: TopologyOptions): Promise<Topology> {
  const jsm = await jetstreamManager(nc);
  const kvm = new Kvm(nc);
  const config = await bucket(kvm, names.config, { replicas: options.replicas, history: 1 });
  const partitions = await partitionCount(config, options.partitions);
  await ensureStream(jsm, { name: names.events, subjects: [`${names.prefix}.events.*`], num_replicas: options.replicas, duplicate_window: nanos(2 * 60_000) });
  return { nc, jsm, kvm, names, partitions };
}

async function partitionCount(config: KV, wanted: number | undefined): Promise<number> {
  for (;;) {
    const entry = await config.get('partitions');
    if (entry && entry.operation === 'PUT') {
      const stored = Number(entry.string());
      if (!Number.isInteger(stored) || stored < 1) throw new Error(`the config bucket: the stored partition count is not a positive integer (${terminalSafe(entry.string().slice(0, 40))})`);
      if (wanted !== undefined && wanted !== stored) throw new UsageError(`--partitions ${wanted}: the stream was created with ${stored} partitions; the count is fixed at creation`);
      return stored;
    }
    try {
      await config.create('partitions', String(wanted ?? DEFAULT_PARTITIONS));
    } catch (err) {
      // Another publisher or worker stored it first: read theirs. Anything else (no permission,
      // a full store) is not a race, and retrying it would only hammer the server.
      if (!(await config.get('partitions'))) throw err;
    }
  }
}

/** The alerts and dead-letter streams, created when absent. */
export async function outputTopology(t: Topology, options: { replicas: number; duplicateWindowMs: number }): Promise<void> {
  const duplicate_window = nanos(options.duplicateWindowMs);
  await ensureStream(t.jsm, { name: t.names.alerts, subjects: [t.names.alertSubject], num_replicas: options.replicas, duplicate_window });
  await ensureStream(t.jsm, { name: t.names.deadLetter, subjects: [t.names.deadLetterSubject], num_replicas: options.replicas, duplicate_window });
}

async function ensureStream(jsm: JetStreamManager, config: { name: string; subjects: string[]; num_replicas: number; duplicate_window: number }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch (err) {
    if (!/not found/i.test((err as Error).message)) throw err;
    try {
      await jsm.streams.add(config);
    } catch (added) {
      // Created by another process in between.
      if (!/already in use/i.test((added as Error).message)) throw added;
    }
  }
}

/** A KV bucket, created (or found as it was created: creating it again with the same options is a no-op). */
export async function bucket(kvm: Kvm, name: string, options: Partial<KvOptions>): Promise<KV> {
  try {
    return await kvm.create(name, options);
  } catch (err) {
    // Created before with other options (another --replicas): used as it is.
    if (!/already in use/i.test((err as Error).message)) throw err;
    return kvm.open(name);
  }
}
