import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { evtxJsonReader } from '../../src/sources/evtx-json.js';
import { sniffFormat } from '../../src/sources/open.js';
import { readFixture, readWith } from './helpers.js';

describe('evtx-json', () => {
  it('reads pretty-printed concatenated records, resyncing after a truncated one', async () => {
    const { events, bad } = await readFixture(evtxJsonReader, 'evtx-dump.json');
    // Record 4 (line 110) is cut inside a string; `Record N` headers are skipped silently.
    expect(bad.map((b) => [b.line, b.record, b.reason])).toEqual([
      [110, 3, 'incomplete JSON object (a new object starts before it ends)'],
      [165, undefined, 'unexpected text outside a JSON object: "garbage between records Record 6"'],
    ]);
    expect(events.map((e) => [e.source.line, e.source.record, e.fields.EventID])).toEqual([
      [2, 0, 1],
      [54, 1, 4688],
      [83, 2, 4688],
      [125, 4, 3],
      [167, 5, 1102],
    ]);
  });

  it('flattens System attributes and EventData to Sigma names', async () => {
    const [sysmon] = (await readFixture(evtxJsonReader, 'evtx-dump.json')).events;
    expect(sysmon).toMatchObject({
      category: 'process_creation',
      product: 'windows',
      service: 'sysmon',
      host: 'DEV-WS01',
      user: 'DEV-WS01\\alice',
      time: Date.UTC(2023, 10, 14, 22, 13, 20, 123),
    });
    expect(sysmon.fields).toMatchObject({
      Provider_Name: 'Microsoft-Windows-Sysmon',
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      EventRecordID: 101,
      Execution_ProcessID: 2000,
      Security_UserID: 'S-1-5-18',
      CommandLine: 'cmd.exe /c "whoami {x}"',
      ParentCommandLine: 'node install.js — ü',
    });
    expect(sysmon.fields).not.toHaveProperty('Correlation');
  });

  it('maps Security 4688 with and without ParentProcessName', async () => {
    const [, withParent, withoutParent] = (await readFixture(evtxJsonReader, 'evtx-dump.json')).events;
    expect(withParent).toMatchObject({ category: 'process_creation', service: 'security', user: 'CORP\\alice' });
    expect(withParent.fields).toMatchObject({
      Image: 'C:\\Windows\\System32\\certutil.exe',
      ParentImage: 'C:\\Program Files\\nodejs\\node.exe',
      ProcessId: '0x1a2b',
      ParentProcessId: '0x0f00',
      User: 'CORP\\alice',
    });
    expect(withoutParent.fields.Image).toBe('C:\\Python27\\python.exe');
    expect(withoutParent.fields).not.toHaveProperty('ParentImage');
  });

  it('reads Data arrays with Name attributes, EventID with #text, and UserData', async () => {
    const { events } = await readFixture(evtxJsonReader, 'evtx-dump.json');
    expect(events[3].fields).toMatchObject({ Image: 'C:\\Program Files\\nodejs\\node.exe', DestinationIp: '203.0.113.9', DestinationHostname: '' });
    expect(events[3].category).toBe('network_connection');
    expect(events[4].fields).toMatchObject({ EventID: 1102, EventID_Qualifiers: 0, SubjectUserName: 'alice' });
    expect(events[4]).toMatchObject({ service: 'security' });
    expect(events[4]).not.toHaveProperty('category');
  });

  it('reads one record per line; Linux-Sysmon is product linux; registry categories by EventType', async () => {
    const { events, bad } = await readFixture(evtxJsonReader, 'evtx-dump.jsonl');
    expect(bad.map((b) => b.line)).toEqual([3]);
    expect(events.map((e) => [e.product, e.category])).toEqual([
      ['linux', 'process_creation'],
      ['windows', 'registry_set'],
      ['windows', 'registry_delete'],
    ]);
    expect(events[0].time).toBe(Date.UTC(2022, 4, 11, 18, 10, 20, 399));
  });

  it('sniffs evtx_dump output with or without Record headers', () => {
    expect(evtxJsonReader.sniff('Record 1\n{\n  "Event": {\n    "System": {')).toBeGreaterThan(0.8);
    expect(evtxJsonReader.sniff('{"Event":{"System":{"EventID":1}}}\n')).toBeGreaterThan(0.8);
    expect(evtxJsonReader.sniff('{"EventID":1,"Channel":"Security"}\n')).toBe(0);
  });

  it("reads Velociraptor's parse_evtx() rows and golang-evtx's layout: attributes as plain keys, EventID.Value, epoch SystemTime", async () => {
    // Velociraptor (docs.velociraptor.app, parse_evtx: System.EventID.Value, System.TimeCreated.SystemTime as epoch seconds).
    const velociraptor = {
      System: {
        Provider: { Name: 'Microsoft-Windows-Sysmon', Guid: '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}' }, EventID: { Value: 1 }, Version: 5, Level: 4,
        TimeCreated: { SystemTime: 1556380673.368863 }, EventRecordID: 6577, Correlation: {}, Execution: { ProcessID: 1912, ThreadID: 996 },
        Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'IEWIN7', Security: { UserID: 'S-1-5-18' },
      },
      EventData: { UtcTime: '2019-04-27 15:57:53.368', ProcessId: 2680, Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /c whoami', ParentImage: 'C:\\Program Files\\nodejs\\node.exe', User: 'IEWIN7\\IEUser' },
      Message: 'Process Create',
    };
    // golang-evtx: the Event wrapper, values as text, attributes as plain keys.
    const golang = {
      Event: {
        System: {
          Channel: 'Security', Computer: 'DC01', EventID: '4688', EventRecordID: '116913', Execution: { ProcessID: '4', ThreadID: '88' },
          Provider: { Guid: '54849625-5478-4994-A5BA-3E3B0328C30D', Name: 'Microsoft-Windows-Security-Auditing' }, TimeCreated: { SystemTime: '2017-01-19T16:07:45Z' },
        },
        EventData: { NewProcessName: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /all', SubjectUserName: 'bob', SubjectDomainName: 'CORP' },
      },
    };
    const text = `${JSON.stringify(velociraptor)}\n${JSON.stringify(golang)}\n`;
    expect(sniffFormat(text)?.format).toBe('evtx-json');
    const { events, bad } = await readWith(evtxJsonReader, Readable.from([Buffer.from(text)]), 'velociraptor.json');
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.category, e.service, e.host, e.time, e.fields.EventID, e.fields.Provider_Name, e.fields.Execution_ProcessID, e.fields.Image])).toEqual([
      ['process_creation', 'sysmon', 'IEWIN7', Date.UTC(2019, 3, 27, 15, 57, 53, 369), 1, 'Microsoft-Windows-Sysmon', 1912, 'C:\\Windows\\System32\\cmd.exe'],
      ['process_creation', 'security', 'DC01', Date.UTC(2017, 0, 19, 16, 7, 45), '4688', 'Microsoft-Windows-Security-Auditing', '4', 'C:\\Windows\\System32\\whoami.exe'],
    ]);
  });

  it("reads xmltodict's form (python-evtx's XML as JSON, EvtxECmd --fj): @-attributes, #text, Data items by @Name", async () => {
    const event = {
      Event: {
        '@xmlns': 'http://schemas.microsoft.com/win/2004/08/events/event',
        System: {
          Provider: { '@Name': 'Microsoft-Windows-Sysmon', '@Guid': '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}' },
          EventID: '11', Version: '2', Level: '4', Task: '11', Opcode: '0', Keywords: '0x8000000000000000',
          TimeCreated: { '@SystemTime': '2026-11-27T10:02:19.000000Z' }, EventRecordID: '6590', Correlation: null,
          Execution: { '@ProcessID': '1912', '@ThreadID': '996' }, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'DEV-WS-042', Security: { '@UserID': 'S-1-5-18' },
        },
        EventData: {
          Data: [
            { '@Name': 'RuleName', '#text': '-' },
            { '@Name': 'Image', '#text': 'C:\\Windows\\System32\\cmd.exe' },
            { '@Name': 'TargetFilename', '#text': 'C:\\src\\app\\.github\\workflows\\ci.yml' },
            { '@Name': 'User' },
          ],
        },
      },
    };
    const { events, bad } = await readWith(evtxJsonReader, Readable.from([Buffer.from(JSON.stringify(event, null, 2))]), 'xmltodict.json');
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.category, e.host, e.time, e.fields.EventID, e.fields.Provider_Name, e.fields.Execution_ProcessID, e.fields.TargetFilename, e.fields.User, e.fields['@xmlns']])).toEqual([
      ['file_event', 'DEV-WS-042', Date.UTC(2026, 10, 27, 10, 2, 19), '11', 'Microsoft-Windows-Sysmon', '1912', 'C:\\src\\app\\.github\\workflows\\ci.yml', '', undefined],
    ]);
  });
});
