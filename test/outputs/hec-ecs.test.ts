import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ecsFormatter } from '../../src/outputs/ecs.js';
import { CLI, REPO } from '../helpers/cli.js';
import { startHecReceiver } from './hec-receiver.js';
import { ARM_COLUMN, HOSTILE_COMMAND_LINE, hostileAlert } from './hostile-alert.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-hec-'));
const events = join(dir, 'events.ndjson');
const rules = join(dir, 'rules');
const EVENTS = 1200;
const TOKEN = '11111111-2222-3333-4444-555555555555';

beforeAll(() => {
  mkdirSync(rules);
  writeFileSync(join(rules, 'cmd.yml'), `title: Shell from an install
id: 99999999-0000-4000-8000-000000000001
level: high
tags: [attack.initial-access, attack.t1195.001]
logsource: {category: process_creation, product: windows}
detection: {sel: {Image|endswith: '\\\\cmd.exe'}, condition: sel}
`);
  const lines = Array.from({ length: EVENTS }, (_, i) => JSON.stringify({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: `host${i}`, UtcTime: new Date(Date.parse('2026-11-27T09:16:40.004Z') + i * 1000).toISOString().replace('T', ' ').slice(0, -1), Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: `${HOSTILE_COMMAND_LINE} ${i}` }));
  writeFileSync(events, lines.join('\n') + '\n');
});

function scan(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'scan', events, '--rules', rules, '-q', ...args], { cwd: REPO, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('Splunk HEC', () => {
  it('batches, retries a busy collector, waits for indexer acknowledgement, token from the environment', { timeout: 60_000 }, async () => {
    const hec = await startHecReceiver({ token: TOKEN, ack: true, busyFirst: 2 });
    try {
      const result = await scan(['--format', 'jsonl', '-o', `hec:${hec.url}?ack=1`], { SUPPLYWATCH_HEC_TOKEN: TOKEN });
      expect(result.status, result.stderr).toBe(1);
      expect(result.stderr).toBe('');
      // Batches of at most 500 events, each on the sink's own channel (a GUID), after two 503s.
      const channel = hec.requests[0]!.channel;
      expect(channel).toMatch(/^[0-9a-f-]{36}$/);
      for (const r of hec.requests) expect(r).toEqual({ path: '/services/collector/event', authorization: `Splunk ${TOKEN}`, channel, events: expect.any(Number) });
      expect(hec.requests.reduce((n, r) => n + r.events, 0)).toBe(EVENTS);
      expect(Math.max(...hec.requests.map((r) => r.events))).toBeLessThanOrEqual(500);
      expect(hec.requests.length).toBeLessThan(EVENTS / 50);
      const jsonl = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
      expect(hec.events.map((e) => e.event)).toEqual(jsonl);
      expect(hec.events.slice(0, 2).map((e) => [e.time, e.host, e.sourcetype])).toEqual([0, 1].map((i) => [Date.parse(`2026-11-27T09:16:4${i}.004Z`) / 1000, `host${i}`, 'supplywatch:alert']));
    } finally {
      await hec.close();
    }
  });

  it('a refused token: the scan goes on and the summary counts the alerts not delivered', { timeout: 60_000 }, async () => {
    const hec = await startHecReceiver({ token: TOKEN, ack: false });
    try {
      const result = await scan(['-o', `hec:${hec.url}`], { SUPPLYWATCH_HEC_TOKEN: 'wrong' });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/--output hec:http:\/\/127\.0\.0\.1:\d+\/services\/collector\/event: 1200 alerts not delivered \(HTTP 403: \{"text":"Invalid token","code":4\}\)/);
      expect(result.stderr).not.toContain('wrong');
    } finally {
      await hec.close();
    }
  });
});

describe('Splunk HEC acknowledgement', () => {
  it('events accepted but never indexed are counted as not delivered', { timeout: 60_000 }, async () => {
    const hec = await startHecReceiver({ token: TOKEN, ack: true, neverIndexed: true });
    try {
      const result = await scan(['-o', `hec:${hec.url}?ack=1`], { SUPPLYWATCH_HEC_TOKEN: TOKEN });
      expect(result.status).toBe(2);
      expect(hec.events).toHaveLength(EVENTS);
      expect(result.stderr).toMatch(/: 1200 alerts not delivered \(1200 not acknowledged as indexed in time\)/);
    } finally {
      await hec.close();
    }
  });
});

describe('ECS NDJSON', () => {
  it('an alert document: event.kind, rule.*, threat.* from ATT&CK tags, process fields exact', () => {
    const alert = hostileAlert();
    alert.rule.tags = ['attack.initial-access', 'attack.t1195.001', 'attack.t1059'];
    const doc = JSON.parse(ecsFormatter({ columns: [ARM_COLUMN] }).format(alert)) as Record<string, any>;
    expect(doc['@timestamp']).toBe('2026-11-27T09:16:40.004Z');
    expect(doc.event).toEqual({ kind: 'alert', category: ['process'], severity: 8, risk_score: 73, module: 'supplywatch', dataset: 'supplywatch.alert' });
    expect(doc.rule).toMatchObject({ id: '11111111-2222-4333-8444-555555555555', name: 'Pipe | back\\slash\nnew', ruleset: 'hostile' });
    expect(doc.threat).toEqual({
      framework: 'MITRE ATT&CK',
      technique: [
        { id: 'T1195', reference: 'https://attack.mitre.org/techniques/T1195/', subtechnique: [{ id: 'T1195.001', reference: 'https://attack.mitre.org/techniques/T1195/001/' }] },
        { id: 'T1059', reference: 'https://attack.mitre.org/techniques/T1059/' },
      ],
      tactic: [{ id: 'TA0001', name: 'Initial Access', reference: 'https://attack.mitre.org/tactics/TA0001/' }],
    });
    expect(doc.process).toEqual({ executable: 'C:\\Windows\\cmd.exe', command_line: HOSTILE_COMMAND_LINE });
    expect(doc.host).toEqual({ name: 'HOST' });
    expect(doc.supplywatch).toEqual({ level: 'high', label: 'A=B|C', columns: { Arm: 'A=B|C' }, line: 7 });
  });
});
