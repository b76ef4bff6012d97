import type { ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';
import type { Names } from './topology.js';

/**
 * The durable consumers of each partition, newest first. Every owner of a partition makes a
 * consumer of its own (partition.ts): a worker that lost the partition without knowing (paused,
 * cut off) then pulls from a consumer that is gone, never from its successor's. While a partition
 * changes hands two may exist for a moment: the newest is the current one.
 */
export async function consumersByPartition(jsm: JetStreamManager, names: Names): Promise<Map<number, ConsumerInfo[]>> {
  const found = new Map<number, ConsumerInfo[]>();
  const pattern = new RegExp(`^${names.prefix}-p(\\d+)(?:-[0-9a-f]+)?$`);
  for await (const info of jsm.consumers.list(names.events)) {
    const match = pattern.exec(info.name);
    if (match === null) continue;
    const partition = Number(match[1]);
    const infos = found.get(partition);
    if (infos) infos.push(info);
    else found.set(partition, [info]);
  }
  for (const infos of found.values()) infos.sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
  return found;
}

/** The consumer each partition is consumed through now (the newest of its consumers). */
export async function partitionConsumers(jsm: JetStreamManager, names: Names): Promise<Map<number, ConsumerInfo>> {
  const current = new Map<number, ConsumerInfo>();
  for (const [partition, infos] of await consumersByPartition(jsm, names)) current.set(partition, infos[0]!);
  return current;
}
