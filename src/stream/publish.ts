/**
 * `supplywatch publish PATHS… --to nats://…`: reads files and folders with the readers `scan`
 * uses and publishes one normalized event per message to `PREFIX.events.<partition of its
 * host>`, so that many workers can scan a forensic collection. Publishes are asynchronous with
 * at most `inFlight` unacknowledged at a time (back-pressure: a slow server slows the reading,
 * memory stays bounded). Bad records are counted and listed as `scan` lists them.
 */
import { jetstream, type PubAck } from '@nats-io/jetstream';
import { terminalSafe } from '../outputs/escape.js';
import { formatBad, formatUnreadable } from '../outputs/problems.js';
import { ScanSummary } from '../scan/summary.js';
import { readerByName, readInputs } from '../sources/open.js';
import { connectTo, type ServerSpec } from './connect.js';
import { encodeEvent } from './message.js';
import { eventTopology, namesFor, partitionOf } from './topology.js';

/** Room for a message's headers and subject within the server's max_payload. */
const MESSAGE_OVERHEAD_BYTES = 4096;

export interface PublishPlan {
  inputs: string[];
  inputFormat?: string;
  server: ServerSpec;
  prefix: string;
  /** Only when the stream is created by this publish; else it must match. */
  partitions?: number;
  replicas: number;
  /** Unacknowledged publishes at most. */
  inFlight: number;
  quiet: boolean;
  strict: boolean;
}

export const DEFAULT_IN_FLIGHT = 1024;

/** Exit status: 0 all read and stored; 2 an input unreadable, nothing read, or (strict) a bad record. */
export async function runPublish(plan: PublishPlan): Promise<number> {
  if (plan.inputFormat !== undefined) readerByName(plan.inputFormat);
  const names = namesFor(plan.prefix);
  const nc = await connectTo(plan.server, '--to');
  const summary = new ScanSummary();
  let stored = 0;
  let duplicates = 0;
  try {
    const topology = await eventTopology(nc, names, { replicas: plan.replicas, partitions: plan.partitions });
    const js = jetstream(nc);
    const maxPayload = nc.info?.max_payload ?? Infinity;
    const window: Array<Promise<PubAck>> = [];
    const settle = async () => {
      const ack = await window.shift()!;
      if (ack.duplicate) duplicates += 1;
      else stored += 1;
    };
    for await (const batch of readInputs(plan.inputs, { inputFormat: plan.inputFormat, ...summary.inputReports })) {
      summary.countEvents(batch.input, batch.format, batch.events.length);
      for (const event of batch.events) {
        const { payload, headers, msgID } = encodeEvent(event);
        // Readers take records up to 64 MiB; the server refuses a message over its max_payload
        // (1 MiB by default). Such an event is a bad record, not the end of the publish.
        if (Buffer.byteLength(payload) + MESSAGE_OVERHEAD_BYTES > maxPayload) {
          const { file, format, line, record, offset } = event.source;
          summary.countBad({ file, format, line, record, offset, reason: `event larger than the server's max_payload (${maxPayload} bytes): not published` });
          continue;
        }
        const ack = js.publish(names.eventSubject(partitionOf(event.host, topology.partitions)), payload, { headers, msgID });
        ack.catch(() => {}); // awaited in turn by settle(); a failure must not go unhandled meanwhile
        window.push(ack);
        if (window.length >= plan.inFlight) await settle();
      }
    }
    while (window.length > 0) await settle();
    if (!plan.quiet) process.stderr.write(render(summary, plan, names.events, topology.partitions, stored, duplicates));
  } catch (err) {
    process.stderr.write(`supplywatch: publish stopped after ${stored} events stored: ${terminalSafe((err as Error).message)}\n`);
    return 2;
  } finally {
    await nc.close();
  }
  for (const u of summary.unreadable) if (plan.quiet) process.stderr.write(`supplywatch: ${formatUnreadable(u)}\n`);
  return summary.unreadable.length > 0 || summary.events === 0 || (plan.strict && summary.badCount > 0) ? 2 : 0;
}

function render(summary: ScanSummary, plan: PublishPlan, stream: string, partitions: number, stored: number, duplicates: number): string {
  const lines = ['', '── supplywatch publish ──'];
  for (const [input, { format, events }] of summary.perSource) lines.push(`  ${terminalSafe(input)}: ${events} events (${format})`);
  lines.push(`events read: ${summary.events}; stored in ${stream} (${partitions} partitions): ${stored}${duplicates > 0 ? `; already stored (same record published again): ${duplicates}` : ''}`);
  for (const u of summary.unreadable) lines.push(`not read: ${formatUnreadable(u)}`);
  lines.push(`bad records: ${summary.badCount}`);
  for (const b of summary.bad) lines.push(`  ${formatBad(b)}`);
  if (summary.badCount > summary.bad.length) lines.push(`  … ${summary.badCount - summary.bad.length} more`);
  lines.push(`elapsed: ${((performance.now() - summary.started) / 1000).toFixed(2)} s, in flight at most ${plan.inFlight}`);
  return lines.join('\n') + '\n';
}

/**
 * `publish --subject-for HOST`: the subject a host's events go to, for agents that publish
 * themselves (Vector, Fluent Bit: docs/streaming.md). Creates the stream when absent, so that
 * the partition count is fixed before the first agent publishes.
 */
export async function printSubject(plan: Omit<PublishPlan, 'inputs'>, host: string): Promise<number> {
  const names = namesFor(plan.prefix);
  const nc = await connectTo(plan.server, '--to');
  try {
    const topology = await eventTopology(nc, names, { replicas: plan.replicas, partitions: plan.partitions });
    process.stdout.write(names.eventSubject(partitionOf(host, topology.partitions)) + '\n');
    return 0;
  } finally {
    await nc.close();
  }
}
