/**
 * The long row of the streaming group (issue 26: "memory flat over 10M events"): one worker
 * consuming `total` events, its RSS after each round. The bench's file is published again each
 * round under another name (a symlink), so each round's events are new events (their provenance,
 * hence their ids and their alerts' ids, differ), and the events and alerts streams are purged
 * once a round is consumed: the server's store stays the size of one round while the worker runs
 * for all of them, publish and consumption overlapping from the second round on.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { namesFor } from '../stream/topology.js';
import { cliRun, consumed, joined, PARTITIONS, rssMb, stallGuard, startServer } from './stream.js';

const PREFIX = 'benchlong';

export interface LongRun {
  events: number;
  seconds: number;
  /** The worker's RSS (MB) after each round. */
  rssMb: number[];
}

export async function streamMemory(cli: string, path: string, count: number, total: number): Promise<LongRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'sw-bench-long-'));
  const server = await startServer(join(scratch, 'store'));
  const nc = await connect({ servers: server.url });
  const names = namesFor(PREFIX);
  const rounds = Math.max(1, Math.round(total / count));
  const publish = (round: number) => {
    const alias = join(scratch, `round-${round}.ndjson`);
    symlinkSync(resolve(path), alias);
    cliRun(cli, ['publish', alias, '--to', server.url, '--prefix', PREFIX, '--partitions', String(PARTITIONS), '-q']);
  };
  const worker = { child: undefined as ReturnType<typeof spawn> | undefined };
  try {
    const jsm = await jetstreamManager(nc);
    publish(0); // makes the streams
    const started = performance.now();
    const child = (worker.child = spawn(process.execPath, [cli, 'stream', '--from', server.url, '--prefix', PREFIX, '--rules', 'seed'], { stdio: ['ignore', 'ignore', 'pipe'] }));
    await joined(child);
    const rss: number[] = [];
    const progress = stallGuard([child]);
    for (let round = 0; round < rounds; round += 1) {
      if (round > 0) publish(round);
      // Purged rounds leave nothing pending: a round is consumed when its `count` events are.
      for (let done = await consumed(jsm, count, PREFIX); done < count; done = await consumed(jsm, count, PREFIX)) {
        progress.check(done);
        await sleep(100);
      }
      rss.push(rssMb(child.pid!));
      await jsm.streams.purge(names.events);
      await jsm.streams.purge(names.alerts);
    }
    return { events: rounds * count, seconds: (performance.now() - started) / 1000, rssMb: rss };
  } finally {
    worker.child?.kill('SIGTERM');
    await nc.close();
    server.child.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The bench line: the worker's RSS at each tenth of the run, and its events/s over it (publish running beside it). */
export async function streamMemoryRow(cli: string, path: string, count: number, total: number): Promise<string> {
  const run = await streamMemory(cli, path, count, total);
  const tenths = Array.from({ length: 10 }, (_, i) => run.rssMb[Math.min(run.rssMb.length - 1, Math.ceil(((i + 1) * run.rssMb.length) / 10) - 1)]!);
  return `stream worker RSS over ${run.events} events (${run.rssMb.length} rounds of ${count}, ${Math.round(run.events / run.seconds)} events/s), MB at each tenth: ${tenths.join(' ')}`;
}
