import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { startServer, stopAll, type RunningServer } from './nats-server.js';
import { consumedAll, runCliWithEnv, startWorker, storedMessages, waitUntil, withConnection } from './streaming.js';

/**
 * Records a worker cannot use go to the dead-letter stream with the reason and their place in
 * the events stream, and the partition goes on with the next record. Raw records (as Vector or
 * Fluent Bit send them, format named or sniffed) are read by the readers. Credentials come from
 * the environment or a file, never from the command line.
 */
let server: RunningServer;
let secured: RunningServer;
/** A server whose max_payload is small enough to fill in a test (the worker's checkpoints need 64 KiB and more). */
let small: RunningServer;
const SMALL_MAX_PAYLOAD = 128 * 1024;
const RAW = readFileSync(join(REPO, 'samples', 'sysmon-npm-install.ndjson'), 'utf8').split('\n')[2]!;

beforeAll(async () => {
  const config = join(mkdtempSync(join(tmpdir(), 'nats-conf-')), 'small.conf');
  writeFileSync(config, `max_payload: ${SMALL_MAX_PAYLOAD}\n`);
  [server, secured, small] = await Promise.all([startServer(), startServer(['--user', 'sw', '--pass', 'sw-secret']), startServer(['-c', config])]);
}, 60_000);

afterAll(stopAll, 30_000);

describe('stream: dead letters', () => {
  it('sends a malformed record to the dead-letter subject with its reason and position, and goes on', async () => {
    const prefix = 'dl';
    const worker = await startWorker(server.url, prefix, ['--partitions', '1']);
    await withConnection(server.url, async (nc) => {
      const js = jetstream(nc);
      const normalized = headers();
      normalized.set('Sw-Format', 'normalized');
      await js.publish(`${prefix}.events.0`, '{"fields": {"Image": ', { headers: normalized });
      await js.publish(`${prefix}.events.0`, '\u0000\u0001 not telemetry');
      const unknown = headers();
      unknown.set('Sw-Format', 'no-such-format');
      await js.publish(`${prefix}.events.0`, RAW, { headers: unknown });
      // Its reason quotes the record, line break included, which a NATS header cannot hold.
      await js.publish(`${prefix}.events.0`, '{"fields":\n x}', { headers: normalized });
      await js.publish(`${prefix}.events.0`, RAW);
    });
    await waitUntil('the five records consumed', () => consumedAll(server.url, prefix, 1));
    const letters = await storedMessages(server.url, `${prefix}-deadletter`);
    const alerts = await storedMessages(server.url, `${prefix}-alerts`);
    expect(await worker.drain()).toBe(0);
    expect(letters.map((l) => [l.headers['Sw-Stream-Seq'], l.headers['Sw-Partition'], l.headers['Sw-Stream']])).toEqual([
      ['1', '0', `${prefix}-events`],
      ['2', '0', `${prefix}-events`],
      ['3', '0', `${prefix}-events`],
      ['4', '0', `${prefix}-events`],
    ]);
    expect(letters[3]!.headers['Sw-Reason']).toMatch(/^normalized: not JSON.*\\n/);
    expect(letters[3]!.headers['Sw-Reason']).not.toMatch(/[\r\n]/);
    expect(letters[0]!.headers['Sw-Reason']).toMatch(/^normalized: not JSON/);
    expect(letters[1]!.headers['Sw-Reason']).toMatch(/unrecognized format/);
    expect(letters[2]!.headers['Sw-Reason']).toBe("unknown Sw-Format 'no-such-format'");
    // The original record, as it was.
    expect(letters[0]!.data).toBe('{"fields": {"Image": ');
    expect(letters[2]!.headers['Sw-Format']).toBe('no-such-format');
    // The record after them was read (its format sniffed, as scan sniffs it) and alerted on: the partition was never blocked.
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) expect(JSON.parse(alert.data).source).toEqual({ file: `nats:${prefix}-events`, format: 'otrf', record: 5 });
  }, 60_000);
});

describe('stream: a dead letter near the server\'s max_payload', () => {
  it('is cut to fit, says how many bytes were cut, keeps its reason and position, and the partition goes on', async () => {
    const prefix = 'big';
    const worker = await startWorker(small.url, prefix, ['--partitions', '1']);
    const unknown = headers();
    unknown.set('Sw-Format', 'no-such-format');
    // As large as the server takes: the dead letter's own headers cannot fit beside it.
    const record = 'abcdefghij'.repeat(SMALL_MAX_PAYLOAD / 10).slice(0, SMALL_MAX_PAYLOAD - 'NATS/1.0\r\nSw-Format: no-such-format\r\n\r\n'.length);
    // Headers just under JetStream's 64 KiB limit for headers: the dead letter's own do not fit beside them.
    const big = headers();
    big.set('X-Big', 'h'.repeat(65_535 - 'NATS/1.0\r\nX-Big: \r\n\r\n'.length - 10));
    await withConnection(small.url, async (nc) => {
      const js = jetstream(nc);
      await js.publish(`${prefix}.events.0`, record, { headers: unknown });
      await js.publish(`${prefix}.events.0`, 'not telemetry', { headers: big });
      await js.publish(`${prefix}.events.0`, RAW);
    });
    await waitUntil('the three records consumed', () => consumedAll(small.url, prefix, 1), 30_000);
    const letters = await storedMessages(small.url, `${prefix}-deadletter`);
    const alerts = await storedMessages(small.url, `${prefix}-alerts`);
    expect(await worker.drain()).toBe(0);
    expect(letters.map((l) => [l.headers['Sw-Stream-Seq'], l.headers['Sw-Partition'], l.headers['Sw-Stream']])).toEqual([
      ['1', '0', `${prefix}-events`],
      ['2', '0', `${prefix}-events`],
    ]);
    const [cut, whole] = [letters[0]!, letters[1]!];
    expect(cut.headers['Sw-Reason']).toBe("unknown Sw-Format 'no-such-format'");
    expect(cut.headers['Sw-Format']).toBe('no-such-format');
    const marker = /^(\d+) of (\d+) bytes cut$/.exec(cut.headers['Sw-Truncated'] ?? '');
    expect(marker?.[2]).toBe(String(record.length));
    expect(Number(marker![1])).toBeGreaterThan(0);
    expect(cut.data).toBe(record.slice(0, record.length - Number(marker![1])));
    // The original headers could not fit: dropped, and said; the record itself is whole.
    expect(whole!.headers['Sw-Reason']).toMatch(/unrecognized format/);
    expect(whole!.headers['X-Big']).toBeUndefined();
    expect(whole!.headers['Sw-Headers-Dropped']).toMatch(/^1 original header\(s\) did not fit/);
    expect(whole!.headers['Sw-Truncated']).toBeUndefined();
    expect(whole!.data).toBe('not telemetry');
    // The record after them was read and alerted on: the partition was never stopped.
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) expect(JSON.parse(alert.data).source).toEqual({ file: `nats:${prefix}-events`, format: 'otrf', record: 3 });
  }, 60_000);
});

describe('stream: an alert larger than the server\'s max_payload', () => {
  it('sends its message to the dead letters instead of stopping the partition at it', async () => {
    const prefix = 'bigalert';
    const worker = await startWorker(small.url, prefix, ['--partitions', '1']);
    // An npm child whose command line fills half the server's limit: its alert repeats the
    // command line beside the event's fields, and is larger than the server takes.
    const spawned = JSON.parse(readFileSync(join(REPO, 'samples', 'sysmon-npm-install.ndjson'), 'utf8').split('\n')[0]!) as Record<string, string>;
    const record = JSON.stringify({ ...spawned, CommandLine: `${spawned.CommandLine} ${'A'.repeat(SMALL_MAX_PAYLOAD * 0.55)}` });
    expect(record.length).toBeLessThan(SMALL_MAX_PAYLOAD - 1024);
    const otrf = headers();
    otrf.set('Sw-Format', 'otrf');
    await withConnection(small.url, async (nc) => {
      const js = jetstream(nc);
      await js.publish(`${prefix}.events.0`, record, { headers: otrf });
      await js.publish(`${prefix}.events.0`, RAW);
    });
    await waitUntil('the two records consumed', () => consumedAll(small.url, prefix, 1), 30_000);
    const letters = await storedMessages(small.url, `${prefix}-deadletter`);
    const alerts = await storedMessages(small.url, `${prefix}-alerts`);
    expect(await worker.drain()).toBe(0);
    expect(letters.map((l) => l.headers['Sw-Stream-Seq'])).toEqual(['1']);
    expect(letters[0]!.headers['Sw-Reason']).toMatch(/^alert larger than the server's max_payload \(131072 bytes\): /);
    expect(letters[0]!.data).toBe(record);
    // The record after it was alerted on: the partition went on.
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) expect(JSON.parse(alert.data).source.record).toBe(2);
  }, 60_000);
});

describe('publish --subject-for', () => {
  it("prints the subject of a host's partition, the one publish sends that host's events to", async () => {
    const input = join(REPO, 'samples', 'sysmon-npm-install.ndjson');
    const subject = await runCliWithEnv(['publish', '--subject-for', 'DEV-WS-042', '--to', server.url, '--prefix', 'agents', '--partitions', '8'], process.env);
    expect(subject.status, subject.stderr).toBe(0);
    expect(subject.stdout).toMatch(/^agents\.events\.[0-7]\n$/);
    expect((await runCliWithEnv(['publish', input, '--to', server.url, '--prefix', 'agents'], process.env)).status).toBe(0);
    const stored = await withConnection(server.url, async (nc) => (await jetstreamManager(nc)).streams.info('agents-events', { subjects_filter: '>' }));
    expect(Object.keys(stored.state.subjects ?? {})).toEqual([subject.stdout.trim()]);
  }, 30_000);
});

describe('stream and publish: credentials', () => {
  const input = join(REPO, 'samples', 'sysmon-npm-install.ndjson');
  const env = { ...process.env, NATS_USER: undefined, NATS_PASSWORD: undefined, NATS_TOKEN: undefined };

  it('are read from the environment', async () => {
    const result = await runCliWithEnv(['publish', input, '--to', secured.url, '--prefix', 'env'], { ...env, NATS_USER: 'sw', NATS_PASSWORD: 'sw-secret' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('stored in env-events (16 partitions): 4');
  }, 30_000);

  it('are read from --auth FILE', async () => {
    const file = join(tmpdir(), 'nats-auth.yaml');
    writeFileSync(file, 'user: sw\npassword: sw-secret\n', { mode: 0o600 });
    const result = await runCliWithEnv(['publish', input, '--to', secured.url, '--prefix', 'file', '--auth', file], env);
    expect(result.status, result.stderr).toBe(0);
  }, 30_000);

  it('are required by a server that asks for them, and refused in a URL', async () => {
    const without = await runCliWithEnv(['publish', input, '--to', secured.url, '--prefix', 'none'], env);
    expect(without.status).toBe(2);
    expect(without.stderr).toMatch(/authorization/i);
    const inUrl = await runCliWithEnv(['stream', '--from', secured.url.replace('nats://', 'nats://sw:sw-secret@')], env);
    expect(inUrl.status).toBe(2);
    expect(inUrl.stderr).toContain('credentials in a URL are visible to every user of this machine');
    expect(inUrl.stderr).not.toContain('sw-secret');
  }, 30_000);
});
