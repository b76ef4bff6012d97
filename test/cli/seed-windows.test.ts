/**
 * The seed's Windows atomic tests (../shared/seed, "Testing Methodology": tests 1, 3 and 4) as
 * Sysmon XML, Splunk, Elasticsearch and Defender exports, scanned with `--rules seed` as users do.
 * Expected arms are worked out by hand from the seed AQL; where the seed as written cannot fire,
 * the test says so and docs/seed.md ("On other sources") explains why.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const FIX = 'test/fixtures/windows';
const HEADER = 'EventTime,Hostname,Username,SourceIP,ProcessName,CommandLine,ParentProcessName,ParentCommandLine,DetectionArm';

async function seedRows(path: string): Promise<{ status: number | null; rows: string[]; stderr: string }> {
  const r = await runCli(['scan', path, '--rules', 'seed', '--format', 'csv']);
  const lines = r.stdout.split('\r\n').filter(Boolean);
  expect(lines[0]).toBe(HEADER);
  return { status: r.status, rows: lines.slice(1), stderr: r.stderr };
}
const arm = (row: string) => row.slice(row.lastIndexOf(',') + 1);

describe('seed atomic tests on Sysmon XML', () => {
  it('test 1 (npm postinstall → cmd.exe whoami): arm 1 on node.exe → cmd.exe only', async () => {
    const { status, rows, stderr } = await seedRows(`${FIX}/atomic1-npm-postinstall.sysmon.xml`);
    expect(status).toBe(1);
    expect(stderr).toMatch(/4 events \(windows-xml\)/);
    // cmd(npm.cmd) → node, node → cmd.exe, cmd.exe → whoami, Sysmon 11 in %TEMP%: only node → cmd.exe is arm 1.
    expect(rows.map(arm)).toEqual(['PackageManagerSpawnedSuspiciousChild']);
    expect(rows[0]).toContain('2026-11-27 09:14:02,DEV-WS-042.corp.example.com,CORP\\alice,,C:\\Windows\\System32\\cmd.exe');
    expect(rows[0]).toContain('whoami > %TEMP%\\argus-npm-test.txt');
    expect(rows[0]).toContain(',C:\\Program Files\\nodejs\\node.exe,');
  });

  it('test 3 (cmd.exe writes .github\\workflows\\ci.yml): arm 3 cannot fire, Sysmon paths use backslashes', async () => {
    const { status, rows, stderr } = await seedRows(`${FIX}/atomic3-workflow-file.sysmon.xml`);
    expect(stderr).toMatch(/2 events \(windows-xml\)/);
    expect(status).toBe(0);
    expect(rows).toEqual([]);
  });

  it('test 4 (node → 127.0.0.1:4873): arm 2 cannot fire, Sysmon 3 has no URL', async () => {
    const { status, rows, stderr } = await seedRows(`${FIX}/atomic4-registry-4873.sysmon.xml`);
    expect(stderr).toMatch(/1 event \(windows-xml\)/);
    expect(status).toBe(0);
    expect(rows).toEqual([]);
  });
});

const ATOMIC_XML = ['atomic1-npm-postinstall', 'atomic3-workflow-file', 'atomic4-registry-4873'].map((name) => `${FIX}/${name}.sysmon.xml`);

/** The alerts of a scan as CSV rows, without the hardened pack's Source column (file and line differ by format). */
async function packRows(paths: string[], pack: string): Promise<string[]> {
  const r = await runCli(['scan', ...paths, '--rules', pack, '--format', 'csv']);
  expect(r.stderr).toMatch(/events read: 7\b/);
  return r.stdout.split('\r\n').filter(Boolean).map((row) => (pack === 'seed' ? row : row.slice(0, row.lastIndexOf(','))));
}

/** The seed and hardened packs give on `name` the alerts they give on the same events as Sysmon XML. */
async function expectXmlAlerts(name: string, format: string): Promise<void> {
  for (const pack of ['seed', 'hardened']) {
    const expected = await packRows(ATOMIC_XML, pack);
    expect(expected.length, pack).toBeGreaterThan(1);
    expect(await packRows([`${FIX}/${name}`], pack), pack).toEqual(expected);
  }
  const { status, rows: seed, stderr } = await seedRows(`${FIX}/${name}`);
  expect(stderr).toMatch(new RegExp(`7 events \\(${format}\\)`));
  expect(status).toBe(1);
  expect(seed.map(arm)).toEqual(['PackageManagerSpawnedSuspiciousChild']);
}

describe('seed atomic tests on Splunk exports', () => {
  for (const name of ['atomic-1-3-4.splunk-export.json', 'atomic-1-3-4.splunk-rest.json']) {
    it(`${name}: the seed and hardened packs give the alerts they give on the same events as Sysmon XML`, () => expectXmlAlerts(name, 'splunk'));
  }
});

describe("seed atomic tests in Splunk's classic WinEventLog text", () => {
  it('atomic-1-3-4.wineventlog.log: the seed and hardened packs give the alerts they give on the same events as Sysmon XML', () =>
    expectXmlAlerts('atomic-1-3-4.wineventlog.log', 'wineventlog'));
});

describe('seed atomic tests on Elasticsearch exports of Winlogbeat documents', () => {
  // The same seven events as Winlogbeat 8 documents (winlog.event_data: the XML's EventData; winlog.*,
  // event.*, host.name, @timestamp: its System part), in a pretty-printed `_search` response and as
  // elasticdump's one hit per line.
  for (const name of ['atomic-1-3-4.elastic-search.json', 'atomic-1-3-4.elasticdump.ndjson']) {
    it(`${name}: the seed and hardened packs give the alerts they give on the same events as Sysmon XML`, () => expectXmlAlerts(name, 'winlogbeat'));
  }
});

describe('seed atomic tests in NXLog im_msvistalog JSON', () => {
  // The same seven events as NXLog's to_json() writes them, EventTime in the collector's local time (UTC+1).
  it('atomic-1-3-4.nxlog.ndjson: the seed and hardened packs give the alerts they give on the same events as Sysmon XML', () =>
    expectXmlAlerts('atomic-1-3-4.nxlog.ndjson', 'otrf'));
});

describe('seed atomic tests on Elastic Defend events (ECS, no winlog object)', () => {
  // The same seven events as Elastic Defend's process, file and network documents (test/sources/ecs.test.ts).
  it('atomic-1-3-4.elastic-defend.ndjson: the seed and hardened packs give the alerts they give on the same events as Sysmon XML', () =>
    expectXmlAlerts('atomic-1-3-4.elastic-defend.ndjson', 'ecs'));
});

describe('seed atomic tests on Defender exports', () => {
  for (const name of ['atomic-1-3-4.defender.csv', 'atomic-1-3-4.defender.json', 'atomic-1-3-4.defender-timeline.csv']) {
    it(`${name}: arm 1 for test 1; no arm 3 (backslash FolderPath) and no arm 2 (RemoteUrl empty for 127.0.0.1)`, async () => {
      const { status, rows, stderr } = await seedRows(`${FIX}/${name}`);
      expect(stderr).toMatch(/5 events \(defender\)/);
      expect(status).toBe(1);
      expect(rows.map(arm)).toEqual(['PackageManagerSpawnedSuspiciousChild']);
      expect(rows[0]).toContain(',c:\\program files\\nodejs\\node.exe,');
    });
  }

  it('RemoteUrl maps to URL: a package manager reaching a non-registry host fires arm 2, registry.npmjs.org does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-defender-'));
    const file = join(dir, 'DeviceNetworkEvents.csv'); // the table comes from the file name
    writeFileSync(
      file,
      'Timestamp,DeviceName,ActionType,RemoteIP,RemotePort,RemoteUrl,InitiatingProcessFileName,InitiatingProcessFolderPath,InitiatingProcessAccountDomain,InitiatingProcessAccountName\r\n' +
        '2026-11-27T09:31:45Z,ws1,ConnectionSuccess,198.51.100.7,4873,npm.registry-mirror.example,node.exe,c:\\program files\\nodejs\\node.exe,corp,alice\r\n' +
        '2026-11-27T09:31:46Z,ws1,ConnectionSuccess,104.16.24.35,443,registry.npmjs.org,node.exe,c:\\program files\\nodejs\\node.exe,corp,alice\r\n',
    );
    const { rows } = await seedRows(file);
    expect(rows.map((r) => [r.slice(0, 19), arm(r)])).toEqual([['2026-11-27 09:31:45', 'PackageManagerUnexpectedExternalConnection']]);
  });
});

describe('seed atomic tests on EvtxECmd output', () => {
  for (const name of ['atomic-1-3-4.evtxecmd.csv', 'atomic-1-3-4.evtxecmd.json']) {
    it(`${name}: the seed and hardened packs give the alerts they give on the same events as Sysmon XML`, async () => {
      await expectXmlAlerts(name, 'evtxecmd');
      const { rows: seed } = await seedRows(`${FIX}/${name}`);
      expect(seed[0]).toContain('2026-11-27 09:14:02,DEV-WS-042.corp.example.com,CORP\\alice,,C:\\Windows\\System32\\cmd.exe');
    });
  }
});

describe('seed atomic tests on CSV exports of SIEM searches', () => {
  // The seven events of atomic-1-3-4.splunk-export.json as Splunk Web's "Export → CSV" writes them
  // (a multivalue field such as tag is one cell, its values on separate lines), and the Winlogbeat
  // documents of atomic-1-3-4.elasticdump.ndjson as Kibana Discover's CSV report writes them (ECS
  // dotted columns, every value quoted, @timestamp in Kibana's default dateFormat), and the Sysmon XML's
  // events as Sentinel's Event table exports them (a BOM, `TimeGenerated [UTC]` in the portal's
  // rendering, Source/EventLog, EventData as the agent's <DataItem>: no System part but the columns).
  for (const name of ['atomic-1-3-4.splunk.csv', 'atomic-1-3-4.kibana.csv', 'atomic-1-3-4.sentinel-event.csv']) {
    it(`${name}: the seed and hardened packs give the alerts they give on the same events as Sysmon XML`, async () => {
      await expectXmlAlerts(name, 'csv-events');
      const { rows: seed } = await seedRows(`${FIX}/${name}`);
      expect(seed[0]).toContain('2026-11-27 09:14:02,DEV-WS-042.corp.example.com,CORP\\alice,,C:\\Windows\\System32\\cmd.exe');
    });
  }
});
