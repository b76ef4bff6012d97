/**
 * The systemd journal's audit entries (`journalctl -o json`). Both fixtures were recorded on this
 * machine from the same kernel audit records at the same time: systemd-journald 252 read the audit
 * netlink socket (test/fixtures/auditd/journal-npm-postinstall.json, `journalctl -o json
 * _TRANSPORT=audit`) while auditd 3.0 received the records too (auditd-npm-postinstall.log, the
 * records auditd printed), during
 *
 *   auditctl -a always,exit -F arch=b64 -S execve -F key=sw-journal-fixture
 *   npm install --no-audit --no-fund --offline ../pkg      (in /tmp/jnpm/app, as root)
 *
 * where ../pkg is test/fixtures/sensor/npm-postinstall (postinstall: `sh -c whoami && node
 * write-temp.js`), the seed's atomic test 1 on Linux.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { auditdReader } from '../../src/sources/auditd.js';
import { journalAuditLine } from '../../src/sources/auditd/journal.js';
import { journaldReader } from '../../src/sources/journald.js';
import { sniffFormat } from '../../src/sources/open.js';
import { sysmonLinuxSyslogReader } from '../../src/sources/sysmon-linux-syslog.js';
import { runCli } from '../helpers/cli.js';
import { chunked, corpusFile, readWith } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/auditd/', import.meta.url));
const JOURNAL = `${FIXTURES}journal-npm-postinstall.json`;
const AUDIT_LOG = `${FIXTURES}auditd-npm-postinstall.log`;
const journalLines = readFileSync(JOURNAL, 'utf8').trimEnd().split('\n');

/** What a rule sees of an event: all but where it was read. */
const seen = ({ source: _source, host: _host, ...rest }: NormalizedEvent) => JSON.stringify(rest);

describe('journald reader: audit records as journald stores them', () => {
  it('is chosen for a journalctl -o json export', () => {
    expect(sniffFormat(journalLines.slice(0, 50).join('\n'))?.format).toBe('journald');
  });

  it('gives every event auditd gave for the same kernel records, in the same order', async () => {
    const fromAuditd = await readWith(auditdReader, createReadStream(AUDIT_LOG), 'audit.log');
    const fromJournal = await readWith(journaldReader, createReadStream(JOURNAL), 'journal.json');
    expect(fromAuditd.bad).toEqual([]);
    expect(fromJournal.bad).toEqual([]);
    expect(fromAuditd.events.length).toBe(32);
    const journalSeen = fromJournal.events.map(seen);
    // auditd's own start: the kernel's CONFIG_CHANGE (audit_pid set) reached the journal only.
    const auditdStart = fromAuditd.events.filter((e) => e.fields.Image === '/usr/sbin/auditd');
    expect(auditdStart).toHaveLength(1);
    const shared = fromAuditd.events.filter((e) => e !== auditdStart[0]).map(seen);
    expect(journalSeen.filter((s) => shared.includes(s))).toEqual(shared);
    // The journal's other events: configuration changes auditd was not yet or no longer there to receive.
    const onlyInJournal = fromJournal.events.filter((e) => !shared.includes(seen(e)));
    expect(onlyInJournal.map((e) => (e.fields.type as string[])[0])).toEqual(['CONFIG_CHANGE', 'CONFIG_CHANGE', 'CONFIG_CHANGE']);
    expect(fromJournal.events.every((e) => e.product === 'linux' && e.service === 'auditd' && e.host === 'vm')).toBe(true);
  });

  it('reads the install: npm, its postinstall shell and what the shell ran, with parents', async () => {
    const { events } = await readWith(journaldReader, createReadStream(JOURNAL), 'journal.json');
    const started = events.filter((e) => e.category === 'process_creation').map((e) => ({
      Image: e.fields.Image,
      CommandLine: e.fields.CommandLine,
      ParentImage: e.fields.ParentImage,
      CurrentDirectory: e.fields.CurrentDirectory,
    }));
    // env execs node in the same process: its parent (the shell that ran the command) started before the rule.
    expect(started).toContainEqual({ Image: '/usr/bin/node', CommandLine: 'node /usr/bin/npm install --no-audit --no-fund --offline ../pkg', ParentImage: undefined, CurrentDirectory: '/tmp/jnpm/app' });
    // npm links a folder dependency and runs its scripts in the folder itself.
    expect(started).toContainEqual({ Image: '/usr/bin/dash', CommandLine: "sh -c 'sh -c whoami && node write-temp.js'", ParentImage: '/usr/bin/node', CurrentDirectory: '/tmp/jnpm/pkg' });
    expect(started).toContainEqual({ Image: '/usr/bin/whoami', CommandLine: 'whoami', ParentImage: '/usr/bin/dash', CurrentDirectory: '/tmp/jnpm/pkg' });
    const shell = events.find((e) => e.fields.CommandLine === "sh -c 'sh -c whoami && node write-temp.js'")!;
    expect(shell.fields.ParentCommandLine).toBe('node /usr/bin/npm install --no-audit --no-fund --offline ../pkg');
    // journald keeps the record's own time: milliseconds of audit(SECONDS.MILLIS:SERIAL).
    const entry = JSON.parse(journalLines.find((l) => l.includes('"_AUDIT_TYPE_NAME":"EXECVE"') && l.includes('whoami'))!) as Record<string, string>;
    const whoami = events.find((e) => e.fields.CommandLine === 'whoami')!;
    expect(whoami.time).toBe(Number(entry._SOURCE_REALTIME_TIMESTAMP) / 1000);
  });

  it('reads the same however the input is cut into chunks', async () => {
    const bytes = readFileSync(JOURNAL);
    const whole = await readWith(journaldReader, Readable.from([bytes]));
    const cut = await readWith(journaldReader, chunked(bytes, [1, 777, 4096, 13, 65536]));
    expect(cut.events.map(seen)).toEqual(whole.events.map(seen));
  });

  it('reads a whole journal: other entries as syslog events, audit entries among them as audit events; bad lines reported', async () => {
    const other = {
      __CURSOR: 's=785c;i=1', __REALTIME_TIMESTAMP: '1796693070201916', _TRANSPORT: 'driver', _HOSTNAME: 'vm',
      SYSLOG_IDENTIFIER: 'systemd-journald', MESSAGE: 'Missed 6508 kernel messages', _PID: '688',
    };
    const input = [JSON.stringify(other), ...journalLines.slice(0, 20), '{"__CURSOR":"s=1", "MESSAGE": tru', '["not", "an", "entry"]',
      '{"__CURSOR":"s=2","__REALTIME_TIMESTAMP":"1","_TRANSPORT":"audit","MESSAGE":"SYSCALL arch=c000003e"}', ...journalLines.slice(20)].join('\n');
    expect(sniffFormat(input)?.format).toBe('journald');
    const r = await readWith(journaldReader, Readable.from([input]), 'journal.json');
    expect(r.events[0]).toMatchObject({ product: 'linux', service: 'syslog', host: 'vm', time: 1796693070201, fields: { MESSAGE: 'Missed 6508 kernel messages' } });
    expect(r.events[0]!.source).toEqual({ file: 'journal.json', format: 'journald', line: 1 });
    expect(r.bad.map((b) => [b.line, b.reason.replace(/:.*/, '')])).toEqual([
      [22, 'invalid JSON'],
      [23, 'not a JSON object'],
      [24, 'journal entry of the audit transport without MESSAGE, _AUDIT_ID or _SOURCE_REALTIME_TIMESTAMP'],
    ]);
    const alone = await readWith(journaldReader, createReadStream(JOURNAL));
    expect(r.events.slice(1).map(seen)).toEqual(alone.events.map(seen));
  });

  it('reads the records the kernel printed to its log (no audit reader running), kept by journald as kernel messages', async () => {
    // kernel/audit.c's audit_printk_skb: pr_notice("type=%d %s\n", type, text) under pr_fmt "audit: ".
    const kernel = journalLines.map((l) => {
      const e = JSON.parse(l) as Record<string, string>;
      const micros = e._SOURCE_REALTIME_TIMESTAMP!;
      const text = e.MESSAGE!.slice(e._AUDIT_TYPE_NAME!.length + 1);
      const stamp = `audit(${micros.slice(0, -6)}.${micros.slice(-6, -3)}:${e._AUDIT_ID})`;
      return JSON.stringify({ __CURSOR: e.__CURSOR, __REALTIME_TIMESTAMP: e.__REALTIME_TIMESTAMP, _TRANSPORT: 'kernel', SYSLOG_IDENTIFIER: 'kernel', _HOSTNAME: e._HOSTNAME, MESSAGE: `audit: type=${e._AUDIT_TYPE} ${stamp}: ${text}` });
    });
    const fromKernel = await readWith(journaldReader, Readable.from([kernel.join('\n')]), 'kernel.json');
    const fromAudit = await readWith(journaldReader, createReadStream(JOURNAL), 'journal.json');
    expect(fromKernel.bad).toEqual([]);
    expect(fromKernel.events.map(seen)).toEqual(fromAudit.events.map(seen));
    expect(fromKernel.events.filter((e) => e.category === 'process_creation')).toHaveLength(8);
  });

  it('reads Sysmon for Linux entries of the journal as Sysmon events, as the syslog reader reads them', async () => {
    // Sysmon for Linux logs through syslog(3): journald keeps the XML as the entry's MESSAGE.
    const rows = readFileSync(corpusFile('OTRF__Security-Datasets/syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json'), 'utf8').split('\n', 40).filter(Boolean);
    const entries = rows.map((row, i) => {
      const r = JSON.parse(row) as { SyslogMessage: string; Computer: string };
      return JSON.stringify({ __CURSOR: `s=1;i=${i}`, __REALTIME_TIMESTAMP: '1652292620400000', _TRANSPORT: 'syslog', SYSLOG_IDENTIFIER: 'sysmon', _HOSTNAME: r.Computer, MESSAGE: r.SyslogMessage });
    });
    const fromJournal = await readWith(journaldReader, Readable.from([entries.join('\n')]), 'journal.json');
    const fromSyslog = await readWith(sysmonLinuxSyslogReader, Readable.from([entries.join('\n')]), 'journal.json');
    expect(fromJournal.bad).toEqual([]);
    expect(fromJournal.events.length).toBe(rows.length);
    expect(fromJournal.events.map(seen)).toEqual(fromSyslog.events.map(seen));
    expect(fromJournal.events.every((e) => e.product === 'linux' && e.service === 'sysmon')).toBe(true);
    expect(fromJournal.events.some((e) => e.category === 'process_creation')).toBe(true);
  });

  it('the seed and hardened packs give the same alerts from the journal as from auditd\'s log', async () => {
    for (const pack of ['seed', 'hardened']) {
      const [journal, auditd] = await Promise.all([JOURNAL, AUDIT_LOG].map((input) => runCli(['scan', input, '--rules', pack, '--format', 'jsonl', '-q'])));
      const alerts = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => {
        const a = JSON.parse(l) as { rule: { id: string }; fields: Record<string, unknown>; time?: string };
        return [a.rule.id, a.fields.CommandLine, a.time];
      });
      expect(alerts(journal!.stdout)).toEqual(alerts(auditd!.stdout));
      if (pack === 'hardened') expect(alerts(journal!.stdout).map((a) => a[1])).toContain('whoami');
    }
  });
});

describe('journalAuditLine: a journal entry as the audit.log line it came from', () => {
  it('takes the type from _AUDIT_TYPE_NAME, the time from the source time stamp, the host as node=', () => {
    expect(journalAuditLine({ _TRANSPORT: 'audit', _AUDIT_TYPE_NAME: 'CWD', _AUDIT_ID: '42', _SOURCE_REALTIME_TIMESTAMP: '1700000000123000', _HOSTNAME: 'build-7', MESSAGE: 'CWD cwd="/tmp"' }))
      .toEqual({ line: 'node=build-7 type=CWD msg=audit(1700000000.123:42): cwd="/tmp"' });
  });

  it('reads MESSAGE written as bytes (journalctl\'s form for a value that is not printable text), and a time under a second', () => {
    const message = [...Buffer.from('EXECVE argc=1 a0="x"')];
    expect(journalAuditLine({ _TRANSPORT: 'audit', _AUDIT_ID: '7', _SOURCE_REALTIME_TIMESTAMP: '5000', MESSAGE: message }))
      .toEqual({ line: 'type=EXECVE msg=audit(0.005:7): argc=1 a0="x"' });
  });

  it('leaves other transports alone and names what an audit entry lacks', () => {
    expect(journalAuditLine({ _TRANSPORT: 'syslog', MESSAGE: 'type=SYSCALL msg=audit(1.0:1): x=1' })).toBeUndefined();
    expect(journalAuditLine({ _TRANSPORT: 'audit', MESSAGE: 'SYSCALL x=1', _SOURCE_REALTIME_TIMESTAMP: '1000000' })).toEqual({ problem: expect.stringMatching(/without MESSAGE, _AUDIT_ID/) });
    expect(journalAuditLine({ _TRANSPORT: 'audit', MESSAGE: 'SYS CALL x=1', _AUDIT_TYPE_NAME: 'SYS CALL', _AUDIT_ID: '1', _SOURCE_REALTIME_TIMESTAMP: '1000000' })).toEqual({ problem: expect.stringMatching(/unreadable type/) });
  });
});
