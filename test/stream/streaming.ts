/** Workers, publishes and reads of the streams for the streaming tests (nats-server.ts starts the servers). */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, errors, type NatsConnection } from '@nats-io/transport-node';
import { partitionConsumers } from '../../src/stream/consumers.js';
import { namesFor } from '../../src/stream/topology.js';
import { CLI, REPO, runCli, type CliResult } from '../helpers/cli.js';
import { killed, spawnTracked } from './nats-server.js';

export const RULES = ['-r', 'hardened', '-r', 'seed'];

export interface Worker {
  child: ChildProcess;
  log(): string;
  /** SIGTERM, and the exit status once drained. */
  drain(): Promise<number | null>;
  kill9(): Promise<void>;
}

/** A `stream` worker with short leases and frequent checkpoints, started once it has joined. */
export async function startWorker(urls: string, prefix: string, extra: string[] = [], env?: NodeJS.ProcessEnv): Promise<Worker> {
  const args = [CLI, 'stream', '--from', urls, '--prefix', prefix, ...RULES, '--lease', '2s', '--checkpoint-every', '1s', '--checkpoint-events', '1000', ...extra];
  const { child, log } = await spawnTracked(process.execPath, args, /joined:/, env);
  return {
    child,
    log,
    drain: async () => {
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await killed(child, 'SIGTERM');
      return exit;
    },
    kill9: () => killed(child, 'SIGKILL'),
  };
}

export function publish(urls: string, prefix: string, inputs: string[], extra: string[] = []): Promise<CliResult> {
  return runCli(['publish', ...inputs, '--to', urls, '--prefix', prefix, ...extra]);
}

export async function withConnection<T>(urls: string, use: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: urls.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  try {
    return await use(nc);
  } finally {
    await nc.close();
  }
}

/** How many messages a stream holds (0 when it does not exist yet). */
export async function streamCount(urls: string, stream: string): Promise<number> {
  return withConnection(urls, async (nc) => {
    const jsm = await jetstreamManager(nc);
    return jsm.streams.info(stream).then(
      (i) => i.state.messages,
      (err: Error) => {
        if (/not found/i.test(err.message)) return 0;
        throw err;
      },
    );
  });
}

export interface Stored {
  data: string;
  headers: Record<string, string>;
  /** When the stream stored it (ms since the epoch, the server's clock). */
  storedAt: number;
}

/**
 * Every message of a stream, in order. Read through a new consumer, whose creation goes through
 * the cluster's meta leader: on a loaded cluster that has just lost a server it can outlast the
 * client's request timeout (seen in 2 of 14 runs of cluster.test.ts at load 6–15 on two
 * cores, while stream info and consumer info answered). A read has no effect on the stream, so a
 * read that timed out is done again from the start, until `ms`.
 */
export async function storedMessages(urls: string, stream: string, ms = 60_000): Promise<Stored[]> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await readStream(urls, stream);
    } catch (err) {
      if (!(err instanceof errors.TimeoutError) || Date.now() > end) throw err;
    }
  }
}

async function readStream(urls: string, stream: string): Promise<Stored[]> {
  return withConnection(urls, async (nc) => {
    const jsm = await jetstreamManager(nc);
    const total = (await jsm.streams.info(stream)).state.messages;
    const out: Stored[] = [];
    if (total === 0) return out;
    const messages = await (await jetstream(nc).consumers.get(stream)).consume();
    for await (const m of messages) {
      const headers: Record<string, string> = {};
      for (const [key, values] of m.headers ?? []) headers[key] = values.join(',');
      out.push({ data: m.string(), headers, storedAt: Number(m.info.timestampNanos / 1_000_000) });
      if (m.info.pending === 0) break;
    }
    return out;
  });
}

/** Waits until `done` holds, polling; throws with `what` after `ms`. */
export async function waitUntil(what: string, done: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * Every published event consumed: each partition consumer has nothing pending or unacknowledged,
 * and the alerts stream has (at least) `alerts` messages.
 */
export async function consumedAll(urls: string, prefix: string, alerts: number): Promise<boolean> {
  return withConnection(urls, async (nc) => {
    const jsm = await jetstreamManager(nc);
    if ((await jsm.streams.info(`${prefix}-alerts`)).state.messages < alerts) return false;
    const events = await jsm.streams.info(`${prefix}-events`, { subjects_filter: '>' });
    const busy = Object.keys(events.state.subjects ?? {}).map((subject) => Number(subject.split('.').pop()));
    const consumers = await partitionConsumers(jsm, namesFor(prefix));
    for (const p of busy) {
      const info = consumers.get(p);
      if (!info || info.num_pending > 0 || info.num_ack_pending > 0) return false;
    }
    return true;
  });
}

/** The scan of the same inputs, as JSONL lines: what the alerts stream must hold. */
export async function scanLines(inputs: string[]): Promise<string[]> {
  const scan = await runCli(['scan', ...inputs, ...RULES, '-f', 'jsonl', '-q']);
  if (scan.status !== 1) throw new Error(`scan failed (${scan.status}): ${scan.stderr}`);
  return scan.stdout.split('\n').filter(Boolean).sort();
}

export function idsOf(lines: readonly string[]): string[] {
  return lines.map((l) => (JSON.parse(l) as { alert_id: string }).alert_id);
}

/** The CLI with its own environment (credentials are read from it). */
export function runCliWithEnv(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** JetStream answers on every server of a cluster (its meta leader is elected). */
export async function jetStreamReady(urls: string): Promise<void> {
  await waitUntil('JetStream ready', async () => {
    for (const url of urls.split(',')) {
      await withConnection(url, async (nc) => (await jetstreamManager(nc)).getAccountInfo());
    }
    return true;
  }, 60_000);
}

/** The process id of the worker holding the lease of the partition with the most events left to consume. */
export async function busiestOwner(urls: string, prefix: string, partitions: number): Promise<number | undefined> {
  return withConnection(urls, async (nc) => {
    const jsm = await jetstreamManager(nc);
    let busiest: { partition: number; left: number } | undefined;
    const consumers = await partitionConsumers(jsm, namesFor(prefix));
    for (let p = 0; p < partitions; p += 1) {
      const info = consumers.get(p);
      const left = info ? info.num_pending + info.num_ack_pending : 0;
      if (left > (busiest?.left ?? 0)) busiest = { partition: p, left };
    }
    if (!busiest) return undefined;
    const lease = await (await new Kvm(nc).open(`${prefix}-leases`)).get(`p${busiest.partition}`);
    // Worker ids are HOST-PID-RANDOM (worker.ts).
    const pid = lease?.operation === 'PUT' ? Number(lease.string().split('-').at(-2)) : NaN;
    return Number.isInteger(pid) ? pid : undefined;
  });
}
