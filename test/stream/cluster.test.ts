import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { startCluster, stopAll, type RunningServer } from './nats-server.js';
import { consumedAll, idsOf, jetStreamReady, publish, scanLines, startWorker, storedMessages, streamCount, waitUntil, withConnection } from './streaming.js';

/**
 * Three nats-servers clustered on loopback, streams and buckets replicated three times: the
 * server that leads the alerts stream is killed (SIGKILL) while two workers are mid-stream.
 * Nothing is lost and nothing doubled: the alerts stored equal scan's.
 */
const INPUTS = ['real-installs', 'live', 'holdout'].map((d) => join(REPO, 'eval-corpus', d));
let servers: RunningServer[];
let urls: string;
let expected: string[];

beforeAll(async () => {
  [servers, expected] = await Promise.all([startCluster(3), scanLines(INPUTS)]);
  urls = servers.map((s) => s.url).join(',');
  await jetStreamReady(urls);
}, 90_000);

afterAll(stopAll, 30_000);

describe('stream on a 3-node cluster', () => {
  it('loses nothing when the server leading the alerts stream is killed mid-stream', async () => {
    const prefix = 'cluster';
    const published = await publish(urls, prefix, INPUTS, ['--partitions', '4', '--replicas', '3']);
    expect(published.status, published.stderr).toBe(0);
    const workers = [await startWorker(urls, prefix, ['--replicas', '3']), await startWorker(urls, prefix, ['--replicas', '3'])];
    await waitUntil('a third of the alerts', async () => (await streamCount(urls, `${prefix}-alerts`)) >= expected.length / 3, 90_000);
    const leader = await withConnection(urls, async (nc) => (await (await jetstreamManager(nc)).streams.info(`${prefix}-alerts`)).cluster?.leader);
    const victim = servers.find((s) => s.name === leader)!;
    expect(victim).toBeDefined();
    await victim.kill();
    const killedAt = Date.now();
    const alive = servers.filter((s) => s !== victim).map((s) => s.url).join(',');
    // The two servers left elect new leaders first: requests time out meanwhile.
    await waitUntil('the cluster answering again', async () => (await streamCount(alive, `${prefix}-alerts`), true));
    await waitUntil('every event consumed', () => consumedAll(alive, prefix, expected.length), 120_000);
    const messages = await storedMessages(alive, `${prefix}-alerts`);
    const stored = messages.map((m) => m.data.replace(/\n$/, '')).sort();
    expect(await Promise.all(workers.map((w) => w.drain()))).toEqual([0, 0]);
    // Mid-stream: alerts were stored after the kill, by the new leader. (Counting once the cluster
    // answered again was not proof: the workers could finish during the election's timeouts.)
    expect(messages.filter((m) => m.storedAt > killedAt).length).toBeGreaterThan(0);
    expect(new Set(idsOf(stored)).size).toBe(stored.length);
    // On a difference, the workers' logs say what each partition went through (takeovers, checkpoints, failures).
    expect(stored, workers.map((w) => w.log()).join('\n')).toEqual(expected);
  }, 240_000);
});
