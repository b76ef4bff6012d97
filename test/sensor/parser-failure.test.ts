import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../src/cli/run.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import { AuditEventBuilder } from '../../src/sensor/audit/event-builder.js';
import { HostResolver } from '../../src/sensor/resolver.js';
import { TraceParser } from '../../src/sensor/trace-parser.js';
import type { BadRecord } from '../../src/sources/reader.js';
import { FIXTURES, readAlerts } from './sensor-cli.js';

/**
 * A record the live parser throws on (injected: the host resolver fails on connections to
 * 127.0.0.1, as a bug met by an unforeseen record would) is a bad record with its position, and
 * the parser goes on with the next records: `run` no longer ends "fatal" on it.
 */
vi.mock('../../src/sensor/resolver.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/sensor/resolver.js')>();
  class FailingResolver extends real.HostResolver {
    override nameFor(pid: number, address: string, time: number) {
      if (address === '127.0.0.1') throw new Error('injected failure on 127.0.0.1');
      return super.nameFor(pid, address, time);
    }
  }
  return { ...real, HostResolver: FailingResolver };
});

const FAILED = 'the sensor could not handle this record: injected failure on 127.0.0.1';

describe('a record the strace parser throws on', () => {
  it('is a bad record of its line, and the calls after it are events', () => {
    const bad: BadRecord[] = [];
    const strace = { pid: 1, image: '/usr/bin/strace', commandLine: 'strace -f -- sh' };
    const parser = new TraceParser({ host: 'h', user: 'u', cwd: '/proj', strace }, new HostResolver(new Map()), (b) => bad.push(b));
    const events: NormalizedEvent[] = [];
    parser.feed(
      [
        '100 1.000000 execve("/usr/bin/sh", ["sh"], 0x7ffe /* 35 vars */) = 0',
        '100 1.000100 connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        '100 1.000200 connect(4, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("10.0.0.7")}, 16) = 0',
        // A call of a thread not introduced yet is held back, then applied from the clone's line: its own line is reported.
        '101 1.000300 connect(5, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        '100 1.000400 clone(child_stack=NULL, flags=SIGCHLD) = 101',
        '101 1.000500 openat(AT_FDCWD, "out.txt", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3',
        '',
      ].join('\n'),
      events,
    );
    parser.end(events);
    expect(bad).toEqual([
      { file: 'strace', format: 'strace', line: 2, reason: FAILED },
      { file: 'strace', format: 'strace', line: 4, reason: FAILED },
    ]);
    expect(events.map((e) => [e.category, e.source.line])).toEqual([['process_creation', 1], ['network_connection', 3], ['file_event', 6]]);
  });
});

describe('a record the audit parser throws on', () => {
  it('is a bad record of its event, and the records after it make their events', () => {
    const bad: BadRecord[] = [];
    const key = 'supplywatch-run-0123456789';
    const sensor = { pid: 8305, image: '/usr/bin/node', commandLine: 'node supplywatch run' };
    const builder = new AuditEventBuilder(key, { host: 'h', userOf: (uid) => uid, root: { sensor, pid: 8320, cwd: '/tmp/swa' } }, new HostResolver(new Map()), (b) => bad.push(b));
    const events: NormalizedEvent[] = [];
    builder.feed(readFileSync(join(FIXTURES, 'audit', 'subshell.audit'), 'utf8'), events);
    const before = events.length;
    // Port 443 = 01BB; 127.0.0.1 = 7F000001 (the injected failure), 198.51.100.9 = C6336409.
    const connect = (serial: number, address: string) => [
      `type=SYSCALL msg=audit(1796631857.400:${serial}): arch=c000003e syscall=42 success=yes exit=0 a0=5 a1=7ffd a2=10 a3=0 items=0 ppid=8320 pid=8331 auid=0 uid=0 gid=0 ses=6 comm="curl" exe="/usr/bin/curl" key="${key}"`,
      `type=SOCKADDR msg=audit(1796631857.400:${serial}): saddr=020001BB${address}0000000000000000`,
      `type=EOE msg=audit(1796631857.400:${serial}): `,
    ];
    builder.feed([...connect(900, '7F000001'), ...connect(901, 'C6336409'), ''].join('\n'), events);
    builder.end(events);
    expect(bad).toEqual([{ file: 'audit', format: 'auditd', line: 105, reason: FAILED }]);
    expect(events.slice(before).map((e) => [e.fields.DestinationIp, e.source.line])).toEqual([['198.51.100.9', 108]]);
  });
});

describe('supplywatch run with a record its parser throws on', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    vi.restoreAllMocks();
  });

  it("counts and reports the record; the command's status and the other alerts are as without it", async () => {
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'sw-parser-failure-'));
    let stdout = '';
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    const script = `exec 3<>/dev/tcp/127.0.0.1/${port}; mkdir -p ${dir}/.github/workflows && echo 'on: push' > ${dir}/.github/workflows/ci.yml; exit 3`;
    const status = await runCommand(['bash', '-c', script], { rules: ['seed'], format: 'jsonl', sensor: 'strace', cache: false });
    vi.restoreAllMocks();
    expect(stderr).toContain('outcome: command exited with 3');
    expect(status).toBe(3);
    expect(readAlerts(stdout).map((a) => [a.label, a.fields.TargetFilename])).toEqual([['CICDPipelineFileModified', `${dir}/.github/workflows/ci.yml`]]);
    expect(stderr).toMatch(/bad lines: 1\n {2}strace:\d+: .*the sensor could not handle this record: injected failure on 127\.0\.0\.1/);
    expect(stderr).not.toContain('fatal');
  }, 60_000);
});
