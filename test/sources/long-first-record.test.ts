/**
 * A first record longer than the 64 KiB sniffing head (a PowerShell 4104 script block, a command
 * line carrying an encoded payload) must not leave its input unrecognized: each format is
 * recognized as it is with a short first record, and every event is read, the long one whole.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { readInputs, SNIFF_BYTES } from '../../src/sources/open.js';
import type { BadRecord } from '../../src/sources/reader.js';

/** 100 KB of base64, as an encoded payload looks: well past the head, no JSON or XML escaping. */
const PAYLOAD = Buffer.alloc(75_000, 'powershell -enc ').toString('base64');
const SHORT = 'Write-Output hello';
const dir = mkdtempSync(join(tmpdir(), 'sw-long-first-'));

interface Read {
  format?: string;
  unreadable: string[];
  events: NormalizedEvent[];
  bad: BadRecord[];
}

async function readText(name: string, text: string): Promise<Read> {
  const path = join(dir, name);
  writeFileSync(path, text);
  const read: Read = { unreadable: [], events: [], bad: [] };
  const reports = { onBad: (b: BadRecord) => read.bad.push(b), onUnreadable: (u: { reason: string }) => read.unreadable.push(u.reason) };
  for await (const batch of readInputs([path], reports)) {
    read.format = batch.format;
    read.events.push(...batch.events);
  }
  return read;
}

/**
 * The input `first(short) + rest` and `first(payload) + rest`, the second's first record running
 * past the head: both recognized as `format`, both records read (the events of the long one).
 */
async function expectBothRead(format: string, name: string, first: (script: string) => string, rest: string): Promise<NormalizedEvent[]> {
  expect(Buffer.byteLength(first(PAYLOAD))).toBeGreaterThan(SNIFF_BYTES);
  const shortRead = await readText(`short-${name}`, first(SHORT) + rest);
  const longRead = await readText(name, first(PAYLOAD) + rest);
  for (const read of [shortRead, longRead]) {
    expect(read.unreadable).toEqual([]);
    expect(read.bad).toEqual([]);
    expect(read.format).toBe(format);
    expect(read.events).toHaveLength(2);
  }
  return longRead.events;
}

const line = (record: unknown) => JSON.stringify(record) + '\n';

const SYSMON_1 = {
  EventID: 1,
  Channel: 'Microsoft-Windows-Sysmon/Operational',
  Hostname: 'WORKSTATION5',
  Image: 'C:\\Windows\\System32\\cmd.exe',
  CommandLine: 'cmd.exe /c whoami',
  ParentImage: 'C:\\Program Files\\nodejs\\node.exe',
};

/** A Sysmon for Linux process creation as it travels in syslog: the command line is the long part. */
const linuxSysmonXml = (commandLine: string) =>
  '<Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>1</EventID><Version>5</Version>' +
  '<TimeCreated SystemTime="2022-05-11T18:10:22.003485000Z"/><EventRecordID>245760</EventRecordID><Channel>Linux-Sysmon/Operational</Channel>' +
  '<Computer>UBUNTU5</Computer><Security UserId="0"/></System><EventData><Data Name="RuleName">-</Data><Data Name="UtcTime">2022-05-11 18:10:21.998</Data>' +
  `<Data Name="ProcessId">17790</Data><Data Name="Image">/bin/bash</Data><Data Name="CommandLine">bash -c ${commandLine}</Data>` +
  '<Data Name="CurrentDirectory">/</Data><Data Name="User">tomcat</Data><Data Name="ParentImage">/usr/bin/node</Data></EventData></Event>';

describe('a first record longer than the sniffing head', () => {
  it('otrf: a 4104 script block (Mordor key order) is otrf, read whole', async () => {
    const events = await expectBothRead(
      'otrf',
      'otrf.json',
      (script) =>
        line({
          '@timestamp': '2020-10-22T02:57:58.116Z',
          Hostname: 'WORKSTATION5',
          EventID: 4104,
          SourceName: 'Microsoft-Windows-PowerShell',
          Channel: 'Microsoft-Windows-PowerShell/Operational',
          ScriptBlockText: script,
          MessageNumber: 1,
          MessageTotal: 1,
          Message: `Creating Scriptblock text (1 of 1):\r\n${script}`,
        }),
      line(SYSMON_1),
    );
    expect(events[0]).toMatchObject({ host: 'WORKSTATION5', fields: { EventID: 4104, ScriptBlockText: PAYLOAD } });
    expect(events[1]).toMatchObject({ category: 'process_creation', fields: { Image: SYSMON_1.Image } });
  });

  it('a flat record whose naming members all come after its long one is read as sigma-ndjson, not lost', async () => {
    const record = (script: string) => ({ Message: `Creating Scriptblock text (1 of 1):\r\n${script}`, EventID: 4104, Channel: 'Microsoft-Windows-PowerShell/Operational', Hostname: 'WORKSTATION5' });
    const read = await readText('otrf-message-first.json', line(record(PAYLOAD)) + line(record(SHORT)));
    expect(read).toMatchObject({ format: 'sigma-ndjson', unreadable: [], bad: [] });
    expect(read.events.map((e) => [e.host, e.service, e.fields.EventID])).toEqual([
      ['WORKSTATION5', 'powershell', 4104],
      ['WORKSTATION5', 'powershell', 4104],
    ]);
  });

  it('otrf: an Azure Syslog row whose SyslogMessage runs past the head (its Type with it) is otrf, the Sysmon XML read', async () => {
    const row = (commandLine: string) => ({
      TenantId: 'redacted',
      SourceSystem: 'Linux',
      TimeGenerated: '2022-05-11T18:10:22.003Z',
      Computer: 'UBUNTU5',
      HostName: 'UBUNTU5',
      SyslogMessage: linuxSysmonXml(commandLine),
      ProcessName: 'sysmon',
      Type: 'Syslog',
    });
    const events = await expectBothRead('otrf', 'azure-syslog.json', (script) => line(row(script)), line(row('id')));
    expect(events.map((e) => [e.product, e.service, e.category])).toEqual([
      ['linux', 'sysmon', 'process_creation'],
      ['linux', 'sysmon', 'process_creation'],
    ]);
    expect(events[0]!.fields.CommandLine).toBe(`bash -c ${PAYLOAD}`);
  });

  it('winlogbeat: a 4104 whose message (before winlog) runs past the head is known by agent.type', async () => {
    const doc = (script: string) => ({
      '@timestamp': '2023-11-14T22:13:20.120Z',
      '@metadata': { beat: 'winlogbeat', type: '_doc', version: '8.11.0' },
      agent: { type: 'winlogbeat', version: '8.11.0', name: 'DEV-WS01' },
      ecs: { version: '8.0.0' },
      event: { code: '4104', provider: 'Microsoft-Windows-PowerShell', kind: 'event' },
      host: { name: 'dev-ws01.corp.local' },
      log: { level: 'verbose' },
      message: `Creating Scriptblock text (1 of 1):\n${script}\n\nScriptBlock ID: 2f9e1c4a`,
      winlog: {
        channel: 'Microsoft-Windows-PowerShell/Operational',
        computer_name: 'DEV-WS01',
        event_data: { MessageNumber: '1', MessageTotal: '1', ScriptBlockText: script, ScriptBlockId: '2f9e1c4a' },
        event_id: '4104',
        provider_name: 'Microsoft-Windows-PowerShell',
        record_id: 101,
      },
    });
    const events = await expectBothRead('winlogbeat', 'winlogbeat.json', (script) => line(doc(script)), line(doc(SHORT)));
    expect(events[0]).toMatchObject({ host: 'DEV-WS01', fields: { EventID: 4104, ScriptBlockText: PAYLOAD } });
  });

  it('winlogbeat: a 4104 whose winlog.event_data runs past the head is known by its winlog object', async () => {
    const doc = (script: string) => ({
      '@timestamp': '2023-11-14T22:13:20.120Z',
      winlog: {
        channel: 'Microsoft-Windows-PowerShell/Operational',
        computer_name: 'DEV-WS01',
        event_data: { ScriptBlockText: script, ScriptBlockId: '2f9e1c4a' },
        event_id: '4104',
        provider_name: 'Microsoft-Windows-PowerShell',
      },
    });
    const events = await expectBothRead('winlogbeat', 'winlogbeat-event-data.json', (script) => line(doc(script)), line(doc(SHORT)));
    expect(events[0]!.fields.ScriptBlockText).toBe(PAYLOAD);
  });

  it('otrf and winlogbeat in a pretty array or pretty objects: a first record running past the head is known by what the head holds of it', async () => {
    const mordor = (script: string) => ({ ...SYSMON_1, EventID: 4104, Channel: 'Microsoft-Windows-PowerShell/Operational', ScriptBlockText: script, Message: script });
    // ConvertTo-Json: `[`, then each record indented; the records' naming members come before the long one.
    const array = await expectBothRead('otrf', 'otrf-array.json', (script) => `[\r\n    ${JSON.stringify(mordor(script), null, 4)},\r\n`, `    ${JSON.stringify(SYSMON_1, null, 4)}\r\n]\r\n`);
    expect(array[0]).toMatchObject({ host: 'WORKSTATION5', service: 'powershell', fields: { ScriptBlockText: PAYLOAD } });
    const doc = (script: string) => ({ '@timestamp': '2023-11-14T22:13:20.120Z', winlog: { channel: 'Microsoft-Windows-PowerShell/Operational', event_data: { ScriptBlockText: script }, event_id: '4104' } });
    const objects = await expectBothRead('winlogbeat', 'winlogbeat-pretty.json', (script) => JSON.stringify(doc(script), null, 2) + '\n', JSON.stringify(doc(SHORT), null, 2) + '\n');
    expect(objects.map((e) => [e.source.line, e.service])).toEqual([
      [1, 'powershell'],
      [11, 'powershell'],
    ]);
  });

  it('Elasticsearch hits: a first hit running past the head, in a _search response (one line, pretty) or one hit per line, is known by its document', async () => {
    const doc = (script: string) => ({ '@timestamp': '2023-11-14T22:13:20.120Z', winlog: { channel: 'Microsoft-Windows-PowerShell/Operational', event_id: '4104', event_data: { ScriptBlockText: script } } });
    const hit = (script: string, id: number) => ({ _index: 'winlogbeat-8.11.0', _id: `id-${id}`, _score: 1, _source: doc(script) });
    const search = (hits: unknown[]) => ({ took: 3, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { total: { value: hits.length, relation: 'eq' }, max_score: 1, hits } });
    const oneLine = await expectBothRead('winlogbeat', 'search.json', (script) => line(search([hit(script, 0), hit(SHORT, 1)])).slice(0, -1), '');
    expect(oneLine.map((e) => [e.source.line, e.service, e.fields._id])).toEqual([
      [1, 'powershell', 'id-0'],
      [1, 'powershell', 'id-1'],
    ]);
    expect(oneLine[0]!.fields.ScriptBlockText).toBe(PAYLOAD);
    const pretty = await expectBothRead('winlogbeat', 'search-pretty.json', (script) => JSON.stringify(search([hit(script, 0), hit(SHORT, 1)]), null, 2), '\n');
    expect(pretty.map((e) => e.fields._id)).toEqual(['id-0', 'id-1']);
    const flat = (script: string) => ({ category: 'process_creation', product: 'windows', Image: 'C:\\Program Files\\nodejs\\node.exe', CommandLine: `node -e "${script}"` });
    const dumped = await expectBothRead('sigma-ndjson', 'elasticdump.ndjson', (script) => line({ _index: 'sysmon', _id: 'a', _source: flat(script) }), line({ _index: 'sysmon', _id: 'b', _source: flat(SHORT) }));
    expect(dumped[0]).toMatchObject({ category: 'process_creation', fields: { CommandLine: `node -e "${PAYLOAD}"`, _id: 'a' } });
  });

  it('sigma-ndjson: a flat record and a dumped one with a long CommandLine', async () => {
    const flat = (commandLine: string) => ({ category: 'process_creation', product: 'windows', Image: 'C:\\Program Files\\nodejs\\node.exe', CommandLine: `node -e "${commandLine}"` });
    const flatEvents = await expectBothRead('sigma-ndjson', 'flat.ndjson', (script) => line(flat(script)), line(flat(SHORT)));
    expect(flatEvents[0]).toMatchObject({ category: 'process_creation', fields: { CommandLine: `node -e "${PAYLOAD}"` } });

    const dumped = (commandLine: string) => ({
      time: '2023-11-14T22:13:20.120Z',
      category: 'process_creation',
      product: 'windows',
      service: 'sysmon',
      host: 'DEV-WS01',
      fields: { EventID: 1, Image: 'C:\\Program Files\\nodejs\\node.exe', CommandLine: `node -e "${commandLine}"` },
      source: { file: 'x.evtx', format: 'evtx', record: 7 },
    });
    const dumpedEvents = await expectBothRead('sigma-ndjson', 'dump.ndjson', (script) => line(dumped(script)), line(dumped(SHORT)));
    expect(dumpedEvents[0]).toMatchObject({ host: 'DEV-WS01', service: 'sysmon', fields: { CommandLine: `node -e "${PAYLOAD}"` } });
  });

  it('sysmon-linux-syslog: a JSON line whose message runs past the head is known by the start of the message', async () => {
    const record = (commandLine: string) => ({ '@timestamp': '2022-05-11T18:10:22.003Z', host: 'UBUNTU5', message: linuxSysmonXml(commandLine) });
    const events = await expectBothRead('sysmon-linux-syslog', 'sysmon.json', (script) => line(record(script)), line(record('id')));
    expect(events[0]).toMatchObject({ product: 'linux', service: 'sysmon', category: 'process_creation', fields: { CommandLine: `bash -c ${PAYLOAD}` } });
  });

  it('defender: an NDJSON row with a long ProcessCommandLine, and an API result on one line', async () => {
    const row = (commandLine: string) => ({
      Timestamp: '2025-11-27T09:14:02.12Z',
      DeviceId: 'a1b2c3',
      DeviceName: 'dev-ws-042.corp.example.com',
      ActionType: 'ProcessCreated',
      FileName: 'powershell.exe',
      FolderPath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      ProcessCommandLine: `powershell.exe -enc ${commandLine}`,
      AccountDomain: 'corp',
      AccountName: 'alice',
      InitiatingProcessFileName: 'node.exe',
      InitiatingProcessFolderPath: 'c:\\program files\\nodejs\\node.exe',
      InitiatingProcessCommandLine: '"node.exe" install.js',
    });
    const rows = await expectBothRead('defender', 'DeviceProcessEvents.ndjson', (script) => line(row(script)), line(row(SHORT)));
    expect(rows[0]).toMatchObject({ category: 'process_creation', fields: { CommandLine: `powershell.exe -enc ${PAYLOAD}` } });

    const schema = Object.keys(row('')).map((Name) => ({ Name, Type: Name === 'Timestamp' ? 'DateTime' : 'String' }));
    const api = await expectBothRead('defender', 'advanced-hunting.json', (script) => `${JSON.stringify({ Schema: schema }).slice(0, -1)}, "Results": [${JSON.stringify(row(script))}, `, `${JSON.stringify(row(SHORT))}]}\n`);
    expect(api[0]!.fields.CommandLine).toBe(`powershell.exe -enc ${PAYLOAD}`);
  });

  it('evtx-json: an evtx_dump record on one line', async () => {
    const record = (script: string) => ({
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-PowerShell' } },
          EventID: 4104,
          Channel: 'Microsoft-Windows-PowerShell/Operational',
          Computer: 'DEV-WS01',
          TimeCreated: { '#attributes': { SystemTime: '2023-11-14T22:13:20.120Z' } },
        },
        EventData: { MessageNumber: 1, MessageTotal: 1, ScriptBlockText: script, ScriptBlockId: '2f9e1c4a' },
      },
    });
    const events = await expectBothRead('evtx-json', 'evtx-dump.jsonl', (script) => line(record(script)), line(record(SHORT)));
    expect(events[0]!.fields.ScriptBlockText).toBe(PAYLOAD);
  });

  it('qradar-json: an Ariel export whose first record has a long payload', async () => {
    const event = (payload: string) => `{"starttime": 1700000000000, "payload": ${JSON.stringify(payload)}, "qidname": "Process Create", "devicehostname": "DEV-WS01", "Process Name": "C:\\\\Windows\\\\System32\\\\cmd.exe"}`;
    const events = await expectBothRead('qradar-json', 'ariel.json', (payload) => `{"events": [\n${event(payload)},\n`, `${event(SHORT)}\n]}\n`);
    expect(events[0]).toMatchObject({ category: 'process_creation', fields: { payload: PAYLOAD } });
  });
});

describe('a first record longer than the head, XML and text formats', () => {
  it('windows-xml: an <Event> with a long ScriptBlockText', async () => {
    const event = (script: string) =>
      '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-PowerShell"/>' +
      '<EventID>4104</EventID><TimeCreated SystemTime="2023-11-14T22:13:20.1200000Z"/><Channel>Microsoft-Windows-PowerShell/Operational</Channel>' +
      `<Computer>DEV-WS01</Computer></System><EventData><Data Name="ScriptBlockText">${script}</Data></EventData></Event>`;
    const events = await expectBothRead('windows-xml', 'events.xml', (script) => `<Events>${event(script)}\n`, `${event(SHORT)}</Events>\n`);
    expect(events[0]!.fields.ScriptBlockText).toBe(PAYLOAD);
  });

  it('auditd: an EXECVE record with a long hex argument', async () => {
    const hex = (text: string) => Buffer.from(text).toString('hex').toUpperCase();
    const records = (serial: number, script: string) =>
      `type=EXECVE msg=audit(1669615313.901:${serial}): argc=3 a0="sh" a1="-c" a2=${hex(script)}\n` +
      `type=SYSCALL msg=audit(1669615313.901:${serial}): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=${serial} uid=0 comm="sh" exe="/usr/bin/dash"\n` +
      `type=EOE msg=audit(1669615313.901:${serial}): \n`;
    const events = await expectBothRead('auditd', 'audit.log', (script) => records(1, script), records(2, SHORT));
    expect(events[0]!.fields.CommandLine).toBe(`sh -c ${PAYLOAD}`);
  });

  it('sysmon-linux-syslog: a syslog line whose Sysmon XML runs past the head', async () => {
    const syslog = (commandLine: string) => `May 11 18:10:22 UBUNTU5 sysmon[1590]: ${linuxSysmonXml(commandLine)}\n`;
    const events = await expectBothRead('sysmon-linux-syslog', 'syslog', (script) => syslog(script), syslog('id'));
    expect(events[0]!.fields.CommandLine).toBe(`bash -c ${PAYLOAD}`);
  });

  it('qradar-csv: a first row with a long payload', async () => {
    const row = (payload: string) => `1700000000000,Process Create,DEV-WS01,"${payload}"\n`;
    const events = await expectBothRead('qradar-csv', 'ariel.csv', (payload) => `starttime,qidname,devicehostname,payload\n${row(payload)}`, row(SHORT));
    expect(events[0]!.fields.payload).toBe(PAYLOAD);
  });
});
