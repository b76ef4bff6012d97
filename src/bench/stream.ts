/**
 * The streaming group of `npm run bench` (`npm run bench -- --group stream` runs it alone), on
 * one local nats-server: events/s of `stream` with 1 and 2 workers against a consumer that only
 * consumes and acknowledges the same partitions (the ceiling, measured in the same run); alert
 * latency from an event's publish to its alert stored, at a steady half of the 1-worker rate;
 * worker memory sampled over the run (flat: the state is bounded, the stream is not held).
 * Targets (issue 26): ≥ 0.8 of the ceiling with the seed pack.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { readInputs } from '../sources/open.js';
import { encodeEvent } from '../stream/message.js';
import { partitionConsumers } from '../stream/consumers.js';
import { namesFor, partitionOf } from '../stream/topology.js';
import { median } from './median.js';

const NATS_SERVER = '/usr/sbin/nats-server';
export const PARTITIONS = 8;
const PREFIX = 'bench';
/** `stream`'s default --in-flight: messages delivered and unacknowledged per partition. */
const IN_FLIGHT = 256;
const names = namesFor(PREFIX);

/** The rows of the streaming group; `path`: the workstation mix of `count` events. */
export async function streamRows(cli: string, path: string, count: number): Promise<string[]> {
  if (spawnSync(NATS_SERVER, ['--version']).status !== 0) return [`(nats-server absent at ${NATS_SERVER}: streaming rows skipped)`];
  const store = mkdtempSync(join(tmpdir(), 'sw-bench-nats-'));
  const server = await startServer(store);
  try {
    const published = timed(() => cliRun(cli, ['publish', path, '--to', server.url, '--prefix', PREFIX, '--partitions', String(PARTITIONS), '-q']));
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await jetstreamManager(nc);
      const rounds = { ceiling: [] as number[], one: [] as number[], two: [] as number[] };
      let memory: number[] = [];
      // Interleaved rounds, so that a burst of host noise lands on each configuration at most once a round.
      for (let round = 0; round < 3; round += 1) {
        rounds.ceiling.push(await ceiling(nc, jsm, count));
        const one = await workers(cli, server.url, jsm, 1, count);
        rounds.one.push(one.seconds);
        if (round === 0) memory = one.rssMb;
        rounds.two.push((await workers(cli, server.url, jsm, 2, count)).seconds);
      }
      const latency = await alertLatency(cli, server.url, nc, jsm, path, count / median(rounds.one) / 2);
      const rate = (seconds: number) => Math.round(count / seconds);
      const base = rate(median(rounds.ceiling));
      const spread = (list: number[]) => `3 runs ${Math.min(...list).toFixed(2)}–${Math.max(...list).toFixed(2)} s`;
      const row = (name: string, seconds: number[], target: string) =>
        `${name.padEnd(44)}  ${String(count).padStart(9)}  ${median(seconds).toFixed(2).padStart(8)}  ${String(rate(median(seconds))).padStart(9)}  ${(rate(median(seconds)) / base).toFixed(2).padStart(6)}  ${target}`;
      return [
        `publish ${count} events to ${PARTITIONS} partitions: ${rate(published)} events/s`,
        row('NATS ceiling: consume + ack, 8 partitions', rounds.ceiling, `(${spread(rounds.ceiling)})`),
        row('stream --rules seed, 1 worker', rounds.one, `ratio ≥ 0.8 (${spread(rounds.one)})`),
        row('stream --rules seed, 2 workers', rounds.two, `(${spread(rounds.two)})`),
        `stream alert latency, publish → alert stored, at ${Math.round(latency.rate)} events/s: p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms (${latency.alerts} alerts)`,
        `stream worker RSS over the 1-worker run (MB, each tenth): ${memory.join(' ')}`,
      ];
    } finally {
      await nc.close();
    }
  } finally {
    server.child.kill('SIGKILL');
    rmSync(store, { recursive: true, force: true });
  }
}

export async function startServer(store: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', '-1', '-sd', store], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /Listening for client connections on [\d.]+:(\d+)/.exec(log);
      if (m && log.includes('Server is ready')) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error(`nats-server exited:\n${log}`)));
  });
  return { url: `nats://127.0.0.1:${port}`, child };
}

export function cliRun(cli: string, args: string[]): void {
  const result = spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${args[0]} failed (${result.status}): ${result.stderr}`);
}

function timed(run: () => void): number {
  const started = performance.now();
  run();
  return (performance.now() - started) / 1000;
}

/** The partition consumers as a worker makes them, from the start of the stream. */
async function freshConsumers(jsm: JetStreamManager): Promise<void> {
  for (let p = 0; p < PARTITIONS; p += 1) {
    const name = names.consumer(p);
    await jsm.consumers.delete(names.events, name).catch(() => false);
  }
}

/**
 * Seconds for one process to consume and acknowledge every event of every partition, nothing
 * else; the way the workers do (partition.ts): messages to a callback, half-window pulls, one
 * cumulative acknowledgement per burst of deliveries or per 128 messages.
 */
async function ceiling(nc: NatsConnection, jsm: JetStreamManager, count: number): Promise<number> {
  await freshConsumers(jsm);
  const js = jetstream(nc);
  const started = performance.now();
  let seen = 0;
  await Promise.all(Array.from({ length: PARTITIONS }, async (_, p) => {
    const name = names.consumer(p);
    await jsm.consumers.add(names.events, { durable_name: name, filter_subject: names.eventSubject(p), ack_policy: AckPolicy.All, deliver_policy: DeliverPolicy.All, max_ack_pending: IN_FLIGHT });
    const info = await jsm.consumers.info(names.events, name);
    let left = info.num_pending;
    if (left === 0) return;
    let unacked = 0;
    let last: JsMsg | undefined;
    let burstEnd: NodeJS.Immediate | undefined;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const ack = () => {
      last!.ack();
      unacked = 0;
    };
    const messages = await (await js.consumers.get(names.events, name)).consume({
      max_messages: IN_FLIGHT,
      threshold_messages: IN_FLIGHT / 2,
      callback: (m) => {
        seen += 1;
        left -= 1;
        last = m;
        if (++unacked >= 128 || left === 0) ack();
        else burstEnd ??= setImmediate(() => {
          burstEnd = undefined;
          if (unacked > 0) ack();
        });
        if (left === 0) done();
      },
    });
    await finished;
    if (burstEnd) clearImmediate(burstEnd);
    await messages.close();
  }));
  await nc.flush();
  if (seen !== count) throw new Error(`ceiling consumer saw ${seen} of ${count} events`);
  return (performance.now() - started) / 1000;
}

/** `n` workers consuming everything from a fresh start (--replay-from 1): seconds from the first one joined, and its RSS each tenth of the way. */
async function workers(cli: string, url: string, jsm: JetStreamManager, n: number, count: number): Promise<{ seconds: number; rssMb: number[] }> {
  await freshConsumers(jsm);
  await jsm.streams.purge(names.alerts).catch(() => undefined);
  const args = (replay: boolean) => [cli, 'stream', '--from', url, '--prefix', PREFIX, '--rules', 'seed', '--lease', '3s', ...(replay ? ['--replay-from', '1'] : [])];
  let started = 0;
  const children: ChildProcess[] = [];
  const rss: number[] = [];
  try {
    for (let i = 0; i < n; i += 1) {
      const child = spawn(process.execPath, args(i === 0), { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      await joined(child);
      // From the first worker joined (rules loaded, connected): the in-process ceiling has no start-up either.
      if (i === 0) started = performance.now();
    }
    let nextTenth = 1;
    const progress = stallGuard(children);
    for (;;) {
      const done = await consumed(jsm, count);
      if (done >= count) break;
      progress.check(done);
      if (done >= (nextTenth * count) / 10) {
        rss.push(rssMb(children[0]!.pid!));
        nextTenth += 1;
      }
      await sleep(50);
    }
    const seconds = (performance.now() - started) / 1000;
    rss.push(rssMb(children[0]!.pid!));
    return { seconds, rssMb: rss };
  } finally {
    await Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(0) : (c.once('exit', resolve), c.kill('SIGTERM'))))));
  }
}

/** How long the consumed count may stay still before a bench run is given up. */
const STALL_MS = 60_000;

/**
 * For a wait on the workers' progress: throws, with their logs, when one of them exited or when
 * nothing was consumed for STALL_MS (a worker that stopped consuming would hold the bench forever).
 */
export function stallGuard(children: ChildProcess[]): { check(done: number): void } {
  const logs = children.map((child) => {
    const log = { text: '', exit: undefined as number | null | undefined };
    child.stderr?.on('data', (d: Buffer) => (log.text = (log.text + d.toString()).slice(-4096)));
    child.once('exit', (code) => (log.exit = code));
    return log;
  });
  let last = -1;
  let since = performance.now();
  const failure = (why: string) => new Error(`${why}; worker logs (ends):\n${logs.map((l) => l.text).join('\n---\n')}`);
  return {
    check(done) {
      const exited = logs.findIndex((l) => l.exit !== undefined);
      if (exited >= 0) throw failure(`stream worker ${exited + 1} exited with ${logs[exited]!.exit} before the end`);
      if (done !== last) [last, since] = [done, performance.now()];
      else if (performance.now() - since > STALL_MS) throw failure(`no progress for ${STALL_MS / 1000} s at ${done} events`);
    },
  };
}

/** Resolves once a `stream` worker says it joined (rules loaded, connected); rejects if it exits first. */
export function joined(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let log = '';
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('joined:')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`stream exited with ${code}:\n${log}`)));
  });
}

/**
 * Events acknowledged so far: every event, less those each partition consumer has yet to deliver
 * or has delivered unacknowledged; 0 while a partition has no consumer (not taken yet, or
 * being handed over to another worker, which makes it anew from the checkpoint).
 */
export async function consumed(jsm: JetStreamManager, count: number, prefix = PREFIX): Promise<number> {
  let left = 0;
  const consumers = await partitionConsumers(jsm, namesFor(prefix)).catch(() => new Map<number, never>());
  for (let p = 0; p < PARTITIONS; p += 1) {
    const info = consumers.get(p);
    if (!info) return 0;
    left += info.num_pending + info.num_ack_pending;
  }
  return count - left;
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/**
 * One worker, caught up; then events published at a steady `rate` into a second events stream
 * prefix while it runs, each with its publish time: latency = alert stored − event published.
 */
async function alertLatency(cli: string, url: string, nc: NatsConnection, jsm: JetStreamManager, path: string, rate: number): Promise<{ p50: number; p99: number; alerts: number; rate: number }> {
  const live = namesFor('benchlive');
  const worker = spawn(process.execPath, [cli, 'stream', '--from', url, '--prefix', live.prefix, '--rules', 'seed', '--partitions', String(PARTITIONS)], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await new Promise<void>((resolve) => worker.stderr!.on('data', (d: Buffer) => d.toString().includes('taken') && resolve()));
    const js = jetstream(nc);
    const sentAt = new Map<string, number>();
    const started = performance.now();
    let sent = 0;
    const acks: Array<Promise<unknown>> = [];
    for await (const batch of readInputs([path], { onBad: () => {} })) {
      for (const event of batch.events) {
        // Hold the steady rate: wait until this event's turn.
        const due = started + (sent / rate) * 1000;
        if (performance.now() < due) await sleep(due - performance.now());
        const { payload, headers, msgID } = encodeEvent(event);
        sentAt.set(`${event.source.line}`, Date.now());
        acks.push(js.publish(live.eventSubject(partitionOf(event.host, PARTITIONS)), payload, { headers, msgID }));
        sent += 1;
        if (acks.length >= 1024) await acks.shift();
      }
      if (sent >= rate * 20) break; // 20 seconds of steady load
    }
    await Promise.all(acks);
    const latencies: number[] = [];
    const expected = Math.floor(sent / 250); // the workstation mix: one attack in 250 events
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await jsm.streams.info(live.alerts)).state.messages < expected) await sleep(200);
    const messages = await (await js.consumers.get(live.alerts)).consume();
    for await (const m of messages) {
      const alert = JSON.parse(m.string()) as { source: { line: number } };
      const at = sentAt.get(`${alert.source.line}`);
      if (at !== undefined) latencies.push(Number(m.info.timestampNanos) / 1e6 - at);
      if (m.info.pending === 0) break;
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    return { p50: at(0.5), p99: at(0.99), alerts: latencies.length, rate };
  } finally {
    worker.kill('SIGTERM');
  }
}
