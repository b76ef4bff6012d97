/**
 * LAUREL's JSON audit logs (laurel.ts). test/fixtures/auditd/laurel-npm-postinstall.jsonl holds
 * the records of test/fixtures/auditd/auditd-npm-postinstall.log (recorded here: auditd and an
 * `npm install` whose postinstall runs `sh -c 'whoami && node write-temp.js'`) as LAUREL writes
 * them, following its documented format and its own test data: one line per event, decimal
 * numbers as numbers, `0x`/`0o` strings, hex strings decoded, EXECVE and PROCTITLE as ARGV lists,
 * SOCKADDR's bytes percent-encoded, the parent's last exec as SYSCALL.PPID.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { auditdReader } from '../../src/sources/auditd.js';
import { laurelReader } from '../../src/sources/laurel.js';
import { sniffFormat } from '../../src/sources/open.js';
import { runCli } from '../helpers/cli.js';
import { readWith } from './helpers.js';

const DIR = fileURLToPath(new URL('../fixtures/auditd/', import.meta.url));
const LAUREL = readFileSync(`${DIR}laurel-npm-postinstall.jsonl`, 'utf8');
const AUDIT = readFileSync(`${DIR}auditd-npm-postinstall.log`, 'utf8');
const read = (text: string) => readWith(laurelReader, Readable.from([text]), 'audit.log');

/** LAUREL's own members (no kernel field), which the audit.log reading cannot have. */
const LAUREL_ONLY = new Set(['PPID', 'PARENT_INFO', 'LABELS']);
const comparable = (e: NormalizedEvent) => ({ ...e, source: undefined, fields: Object.fromEntries(Object.entries(e.fields).filter(([k]) => !LAUREL_ONLY.has(k))) });

const syscall = (extra: object) => ({ arch: '0xc000003e', success: 'yes', exit: 0, items: 1, auid: 1000, uid: 1000, gid: 1000, euid: 1000, tty: '(none)', ses: 3, key: null, ...extra });

describe('laurel reader', () => {
  it('is chosen for LAUREL lines, and audit.log stays auditd', () => {
    expect(sniffFormat(LAUREL)?.format).toBe('laurel');
    expect(sniffFormat(AUDIT)?.format).toBe('auditd');
    expect(sniffFormat(JSON.stringify({ ID: 'x', SYSCALL: {} }))?.format).not.toBe('laurel');
  });

  it('gives the events the audit.log of the same records gives, field for field', async () => {
    const fromLaurel = await read(LAUREL);
    const fromAudit = await readWith(auditdReader, Readable.from([AUDIT]), 'audit.log');
    expect(fromLaurel.bad).toEqual([]);
    expect(fromLaurel.events).toHaveLength(32);
    expect(fromLaurel.events.map(comparable)).toEqual(fromAudit.events.map(comparable));
    const whoami = fromLaurel.events.find((e) => e.fields.Image === '/usr/bin/whoami')!;
    expect(whoami).toMatchObject({ category: 'process_creation', fields: { CommandLine: 'whoami', ParentImage: '/usr/bin/dash', PPID: { exe: '/usr/bin/dash' } } });
  });

  it("reads SOCKADDR's percent-encoded bytes, ARGV_STR, SYSCALL.ARGV, NODE, and LAUREL's parent when the input has no exec of it", async () => {
    const connect = {
      ID: '1796700000.120:501',
      NODE: 'ci-runner-2',
      SYSCALL: syscall({ syscall: 42, exit: -115, success: 'no', ARGV: ['0x3', '0x7ffd1c2e8a40', '0x10', '0x0'], ppid: 700, pid: 701, comm: 'curl', exe: '/usr/bin/curl' }),
      // AF_INET (2, little-endian), port 443 (big-endian 01 bb), 198.51.100.7 (c6 33 64 07: "3" and "d" are printable)
      SOCKADDR: [{ saddr: '%02%00%01%bb%c63d%07%00%00%00%00%00%00%00%00' }],
      PROCTITLE: { ARGV: ['curl', '-s', 'https://example.net/x'] },
    };
    const start = {
      ID: '1796700000.100:500',
      NODE: 'ci-runner-2',
      SYSCALL: syscall({ syscall: 59, ARGV: ['0x55d0', '0x55d8', '0x55e0', '0x0'], ppid: 700, pid: 701, comm: 'curl', exe: '/usr/bin/curl', PPID: { EVENT_ID: '1796699999.000:1', comm: 'sh', exe: '/usr/bin/dash', ppid: 650 } }),
      EXECVE: { argc: 3, ARGV_STR: 'curl -s https://example.net/x' },
      CWD: { cwd: '/home/runner/work/app%25dir' },
      PATH: [{ item: 0, name: '/usr/bin/curl', inode: 1, dev: 'fe:00', mode: '0o100755', nametype: 'NORMAL' }],
    };
    const { events, bad } = await read([start, connect].map((l) => JSON.stringify(l)).join('\n') + '\n');
    expect(bad).toEqual([]);
    expect(events[0]).toMatchObject({
      category: 'process_creation',
      host: 'ci-runner-2',
      fields: { Image: '/usr/bin/curl', CommandLine: 'curl -s https://example.net/x', CurrentDirectory: '/home/runner/work/app%dir', ParentImage: '/usr/bin/dash', ProcessId: 701, ParentProcessId: 700 },
    });
    expect(events[1]).toMatchObject({ category: 'network_connection', fields: { DestinationIp: '198.51.100.7', DestinationPort: 443, Image: '/usr/bin/curl' } });
  });

  it('reports lines that are no LAUREL event with their line numbers and reads on', async () => {
    const lines = [LAUREL.split('\n')[0], '{"ID": oops', JSON.stringify({ ID: '1796700000.1:2' }), JSON.stringify({ SYSCALL: {} }), LAUREL.split('\n')[1]];
    const { events, bad } = await read(lines.join('\n') + '\n');
    expect(events).toHaveLength(2);
    expect(bad.map((b) => b.line)).toEqual([2, 3, 4]);
  });

  it('the hardened pack gives the alert it gives on the audit.log', async () => {
    const titles = async (file: string) => {
      const r = await runCli(['scan', file, '--rules', 'hardened', '--format', 'jsonl']);
      return r.stdout.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { rule: { title: string } }).rule.title);
    };
    const fromLaurel = await titles(`${DIR}laurel-npm-postinstall.jsonl`);
    expect(new Set(fromLaurel)).toEqual(new Set(['Host Reconnaissance From a Package Install Script']));
    expect(fromLaurel).toEqual(await titles(`${DIR}auditd-npm-postinstall.log`));
  });
});
