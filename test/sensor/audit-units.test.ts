import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import type { BadRecord } from '../../src/sources/reader.js';
import { AuditEventBuilder, MAX_WAITING_LOOKUPS, openFlags } from '../../src/sensor/audit/event-builder.js';
import { EndMarker } from '../../src/sensor/audit/end-marker.js';
import { keysInListing, newKey, ruleLines, KEY_PREFIX } from '../../src/sensor/audit/rules.js';
import { parseStatus } from '../../src/sensor/audit/control.js';
import { HostResolver } from '../../src/sensor/resolver.js';
import { RunSummary } from '../../src/sensor/run-summary.js';
import { parseRecord, type AuditRecord } from '../../src/sources/auditd/record.js';
import { FIXTURES } from './sensor-cli.js';

/** Recorded from auditd's af_unix plugin: `sh -c "(cd /tmp && sh -c id); echo hi > x.txt; sh -c true"` in session 6. */
const RECORDED = readFileSync(join(FIXTURES, 'audit', 'subshell.audit'), 'utf8');
const KEY = 'supplywatch-run-0123456789';

function build(text: string, chunkSize = text.length): { events: NormalizedEvent[]; bad: BadRecord[]; builder: AuditEventBuilder } {
  const bad: BadRecord[] = [];
  const sensor = { pid: 8305, image: '/usr/bin/node', commandLine: 'node supplywatch run' };
  const builder = new AuditEventBuilder(KEY, { host: 'h', userOf: (uid) => (uid === '0' ? 'root' : uid), root: { sensor, pid: 8320, cwd: '/tmp/swa' } }, new HostResolver(new Map()), (b) => bad.push(b));
  const events: NormalizedEvent[] = [];
  for (let at = 0; at < text.length; at += chunkSize) builder.feed(text.slice(at, at + chunkSize), events);
  builder.end(events);
  return { events, bad, builder };
}

describe('audit rules of a run', () => {
  const lines = ruleLines('supplywatch-run-abc', { sessionId: 42 });

  it('keep every rule to the session and tag it with the key', () => {
    for (const line of lines) {
      expect(line).toContain('-F sessionid=42');
      expect(line).toMatch(/-k supplywatch-run-abc$/);
    }
  });

  it('filter opens by write and create flags in the kernel, and drop failed execs', () => {
    expect(lines).toContain('-a always,exit -F arch=b64 -S openat -F sessionid=42 -F a2&0x243 -F success=1 -k supplywatch-run-abc');
    expect(lines).toContain('-a always,exit -F arch=b64 -S open -F sessionid=42 -F a1&0x243 -F success=1 -k supplywatch-run-abc');
    expect(lines.find((l) => l.includes('arch=b64 -S execve'))).toContain('-F success=1');
    // Few rules (removing one costs the kernel ~20 ms), for both system call tables.
    expect(lines).toHaveLength(8);
    expect(lines.filter((l) => l.includes('arch=b32'))).toHaveLength(4);
  });

  it('name on arm64 only the calls its table has, and no rule left without one', () => {
    const b64 = ruleLines(KEY, { sessionId: 6 }, 'arm64').filter((l) => l.includes('arch=b64'));
    const named = b64.flatMap((l) => [...l.matchAll(/-S (\w+)/g)].map((m) => m[1]));
    for (const legacy of ['open', 'creat', 'rename', 'link', 'symlink', 'fork', 'vfork']) expect(named).not.toContain(legacy);
    for (const kept of ['execve', 'clone', 'openat', 'renameat2', 'connect', 'exit_group']) expect(named).toContain(kept);
    expect(b64.every((l) => / -S \w+/.test(l))).toBe(true);
    // The 32-bit ARM table has them: its rules are as on x86.
    expect(ruleLines(KEY, { sessionId: 6 }, 'arm64').filter((l) => l.includes('arch=b32'))).toEqual(ruleLines(KEY, { sessionId: 6 }, 'x64').filter((l) => l.includes('arch=b32')));
  });

  it('watch takes the whole machine but its own session', () => {
    expect(ruleLines('k', { excludeSessionId: 77 }).every((l) => l.includes('-F sessionid!=77'))).toBe(true);
  });

  it('new keys are unique, start with the prefix and fit auditctl', () => {
    const a = newKey('run');
    expect(a.startsWith(`${KEY_PREFIX}run-`)).toBe(true);
    expect(a.length).toBeLessThanOrEqual(31);
    expect(newKey('run')).not.toBe(a);
  });

  it("finds supplywatch's keys in auditctl -l, each once", () => {
    const listing = [
      '-a always,exit -F arch=b64 -S execve,execveat -F sessionid=3 -F success=1 -F key=supplywatch-run-aa',
      '-a always,exit -F arch=b32 -S execve -F key=supplywatch-run-aa',
      '-w /etc/passwd -p wa -k identity',
      '-a always,exit -F arch=b64 -S connect -F pid!=9 -F key=supplywatch-watch-bb',
    ].join('\n');
    expect(keysInListing(listing)).toEqual(['supplywatch-run-aa', 'supplywatch-watch-bb']);
    expect(keysInListing('No rules\n')).toEqual([]);
  });

  it('reads auditctl -s', () => {
    expect(parseStatus('enabled 1\nfailure 1\npid 812\nrate_limit 0\nbacklog_limit 8192\nlost 3\n')).toEqual({ enabled: 1, pid: 812, backlogLimit: 8192, lost: 3 });
    expect(parseStatus('garbage')).toBeUndefined();
  });
});

describe('open flags as strace prints them', () => {
  const main = (syscall: string, flags: string): AuditRecord => parseRecord(`type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=${syscall} success=yes exit=3 a0=ffffff9c a1=1 a2=${flags} a3=1b6`) as AuditRecord;
  it('names the access mode and the flags set', () => {
    expect(openFlags('openat', main('257', '241'))).toBe('O_WRONLY|O_CREAT|O_TRUNC');
    expect(openFlags('openat', main('257', '80042'))).toBe('O_RDWR|O_CREAT|O_CLOEXEC');
    expect(openFlags('creat', main('85', '0'))).toBe('O_CREAT|O_WRONLY|O_TRUNC');
    expect(openFlags('rename', main('82', '0'))).toBeUndefined();
  });
});

describe('the end of a run in the record stream', () => {
  const MARK = `supplywatch-end ${KEY}`;
  // As auditd's af_unix plugin writes the record of `auditctl -m MARK`.
  const removal = `type=USER msg=audit(1.000:9): pid=812 uid=0 auid=4294967295 ses=4294967295 msg='${MARK} exe="/usr/sbin/auditctl" hostname=vm addr=? terminal=pts/0 res=success'\n`;

  async function collect(marker: EndMarker, chunks: string[], armAt: number): Promise<{ text: string; found: boolean }> {
    const source = new PassThrough();
    source.pipe(marker);
    let text = '';
    marker.setEncoding('latin1');
    marker.on('data', (d: string) => (text += d));
    chunks.forEach((chunk, i) => {
      if (i === armAt) marker.arm();
      source.write(chunk);
    });
    const found = await marker.finished;
    return { text, found };
  }

  it('ends after the mark’s record, even when it is cut between two reads', async () => {
    const before = 'type=SYSCALL msg=audit(1.000:8): syscall=59 key="x"\n';
    const cut = 40;
    const r = await collect(new EndMarker(MARK), [before, removal.slice(0, cut), removal.slice(cut) + 'type=DAEMON_END msg=audit(2.000:1): later\n'], 0);
    expect(r.found).toBe(true);
    expect(r.text).toBe(before + removal);
  });

  it('passes a lookalike record through before it is armed (the command wrote the text itself)', async () => {
    const marker = new EndMarker(MARK);
    const source = new PassThrough();
    source.pipe(marker);
    let text = '';
    marker.setEncoding('latin1');
    marker.on('data', (d: string) => (text += d));
    source.write(removal);
    await new Promise((r) => setImmediate(r));
    expect(text).toBe(removal);
    marker.cut();
    expect(await marker.finished).toBe(false);
  });
});

describe('audit records → the strace driver’s events', () => {
  it('keeps only the run’s key, and shapes exec events as strace does (the path given to execve, argv joined with spaces)', () => {
    const { events, bad, builder } = build(RECORDED);
    expect(bad).toEqual([]);
    const execs = events.filter((e) => e.category === 'process_creation').map((e) => e.fields);
    expect(execs.map((f) => [f.Image, f.CommandLine, f.ParentImage])).toEqual([
      ['/usr/bin/sh', 'sh -c (cd /tmp && sh -c id); echo hi > x.txt; sh -c true', '/usr/bin/node'],
      ['/usr/bin/sh', 'sh -c id', '/usr/bin/sh'],
      ['/usr/bin/id', 'id', '/usr/bin/sh'],
      ['/usr/bin/sh', 'sh -c true', '/usr/bin/sh'],
    ]);
    expect(execs[2]).toMatchObject({ CurrentDirectory: '/tmp', ParentCommandLine: 'sh -c id', ParentProcessId: 8330, ProcessId: 8331, User: 'root' });
    expect(execs[0]).toMatchObject({ ParentProcessId: 8305, ParentCommandLine: 'node supplywatch run' });
    const file = events.find((e) => e.category === 'file_event')!;
    expect(file).toMatchObject({ product: 'linux', service: 'sensor', host: 'h', user: 'root' });
    expect(file.fields).toEqual({ ProcessId: 8320, User: 'root', Image: '/usr/bin/sh', TargetFilename: '/tmp/swa/x.txt', Syscall: 'openat', OpenFlags: 'O_WRONLY|O_CREAT|O_TRUNC' });
    // The failed execs of the PATH search are records of the key, but no event.
    expect(builder.counts.calls).toBeGreaterThan(events.length);
    // auditctl's own records and the rule changes are not the run's.
    expect(builder.skipped).toBeGreaterThan(0);
  });

  it('gives the same events however the stream is cut into reads', () => {
    const whole = build(RECORDED).events;
    expect(build(RECORDED, 97).events).toEqual(whole);
    expect(build(RECORDED, 1).events).toEqual(whole);
  });

  it('names the parent of a fork child that never exec’d after the process that forked it', () => {
    // Without the exec of 8330 (sh -c id), 8330 is the fork child of 8320 still running its image.
    const text = RECORDED.split('\n').filter((l) => !l.includes('audit(1796631857.330:269)')).join('\n');
    const id = build(text).events.find((e) => e.fields.Image === '/usr/bin/id')!;
    expect(id.fields).toMatchObject({ ParentProcessId: 8330, ParentImage: '/usr/bin/sh', ParentCommandLine: 'sh -c (cd /tmp && sh -c id); echo hi > x.txt; sh -c true' });
  });

  it('keeps what a child runs when its parent’s clone record comes after the child’s exec', () => {
    // Records leave in the order calls end: 8330's exec (sh -c id) before 8320's clone of it.
    const lines = RECORDED.split('\n');
    const clone = lines.filter((l) => l.includes('audit(1796631857.330:268)'));
    const rest = lines.filter((l) => !l.includes('audit(1796631857.330:268)'));
    const afterExec = rest.findLastIndex((l) => l.includes('audit(1796631857.330:269)')) + 1;
    const late = [...rest.slice(0, afterExec), ...clone, ...rest.slice(afterExec)].join('\n');
    const { events, bad } = build(late);
    expect(bad).toEqual([]);
    const id = events.find((e) => e.fields.Image === '/usr/bin/id')!;
    expect(id.fields).toMatchObject({ ParentProcessId: 8330, ParentImage: '/usr/bin/sh', ParentCommandLine: 'sh -c id' });
    // The same execs as in order (their records' lines moved, so only their fields are compared).
    const execs = (list: NormalizedEvent[]) => list.filter((e) => e.category === 'process_creation').map((e) => e.fields);
    expect(execs(events)).toEqual(execs(build(RECORDED).events));
  });

  it('names a connection after the lookup the DNS stub answered, and makes the lookup a dns_query event', () => {
    const { builder } = build(RECORDED);
    const out: NormalizedEvent[] = [];
    // id (8331 of the recording) asked: the stub found its socket.
    builder.dnsAnswered({ name: 'exfil.example', type: 'A', addresses: ['198.51.100.9'], time: 1_000, pid: 8331 });
    expect(out).toEqual([]); // the event waits for the next records
    builder.feed('', out);
    expect(out[0]).toMatchObject({ category: 'dns_query', service: 'sensor', fields: { ProcessId: 8331, Image: '/usr/bin/id', QueryName: 'exfil.example', QueryType: 'A', QueryResults: '198.51.100.9' } });
    // curl (pid 8331 of the recording) connects to it: port 443 = 01BB, 198.51.100.9 = C6336409.
    const connect = [
      `type=SYSCALL msg=audit(1796631857.400:900): arch=c000003e syscall=42 success=no exit=-115 a0=5 a1=7ffd a2=10 a3=0 items=0 ppid=8320 pid=8331 auid=0 uid=0 gid=0 ses=6 comm="curl" exe="/usr/bin/curl" key="${KEY}"`,
      'type=SOCKADDR msg=audit(1796631857.400:900): saddr=020001BBC63364090000000000000000',
      'type=EOE msg=audit(1796631857.400:900): ',
      '',
    ].join('\n');
    builder.feed(connect, out);
    expect(out[1]!.fields).toMatchObject({ DestinationIp: '198.51.100.9', DestinationPort: 443, DestinationHostname: 'exfil.example', DestinationHostnameSource: 'dns' });
    expect(out).toHaveLength(2);
  });

  it('makes one dns_query event of the A and AAAA lookups of one name by one process, with both answers', () => {
    const { builder } = build(RECORDED);
    const out: NormalizedEvent[] = [];
    builder.dnsAnswered({ name: 'a.example', type: 'AAAA', addresses: ['2001:db8::5'], time: 5_000, pid: 8331 });
    builder.dnsAnswered({ name: 'a.example', type: 'A', addresses: ['192.0.2.5'], time: 5_001, pid: 8331 });
    builder.dnsAnswered({ name: 'a.example', type: 'A', addresses: ['192.0.2.5'], time: 5_002, pid: 8332 });
    builder.feed('', out);
    builder.dnsAnswered({ name: 'a.example', type: 'A', addresses: ['192.0.2.5'], time: 5_500, pid: 8331 });
    builder.dnsAnswered({ name: 'a.example', type: 'A', addresses: ['192.0.2.5'], time: 9_000, pid: 8331 });
    builder.feed('', out);
    expect(out.map((e) => [e.fields.ProcessId, e.fields.QueryType, e.fields.QueryResults])).toEqual([
      [8331, 'AAAA', '2001:db8::5;192.0.2.5'],
      [8332, 'A', '192.0.2.5'],
      [8331, 'A', '192.0.2.5'],
    ]);
  });

  it('keeps at most MAX_WAITING_LOOKUPS answers waiting between reads, dropping the oldest, and counts them in the summary', () => {
    const { builder } = build(RECORDED);
    const flood = MAX_WAITING_LOOKUPS + 7;
    for (let i = 0; i < flood; i++) builder.dnsAnswered({ name: `n${i}.example`, type: 'A', addresses: ['192.0.2.7'], time: 20_000 + i });
    const out: NormalizedEvent[] = [];
    builder.feed('', out);
    // What waited is what the queue held: the newest answers, never more than its cap.
    expect(out).toHaveLength(MAX_WAITING_LOOKUPS);
    expect(out[0]!.fields.QueryName).toBe('n7.example');
    expect(out.at(-1)!.fields.QueryName).toBe(`n${flood - 1}.example`);
    expect(builder.counts.lookupsDropped).toBe(7);
    const summary = new RunSummary(0).render({ command: 'npm ci', sensor: 'audit', why: 'root', outcome: 'command exited with 0', counts: builder.counts, rulesLoaded: 1, rejected: 0, extra: [] });
    expect(summary).toContain('DNS lookups dropped unreported (too many waited between two reads): 7');
  });

  it('reports a garbage line with its line number and goes on', () => {
    const { events, bad } = build('garbage here\n' + RECORDED);
    expect(bad).toEqual([{ file: 'audit', format: 'auditd', line: 1, reason: expect.stringContaining('not an audit record') }]);
    expect(events.filter((e) => e.category === 'process_creation')).toHaveLength(4);
  });
});
