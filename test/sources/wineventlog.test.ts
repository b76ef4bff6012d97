/**
 * Splunk's classic WinEventLog text (renderXml off): "Export → Raw Events", attack_data's and BOTS's
 * `.log` files, `_raw` of a `WinEventLog:*` sourcetype. The fixture holds the seed's atomic tests
 * 1, 3 and 4 (test/fixtures/windows/*.sysmon.xml) as the forwarder writes them: the header in a
 * newer forwarder's order, time stamps with and without milliseconds, some messages in CRLF. The
 * Security 4688 event below is laid out as in a public write-up of the BOTS v2 data.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { sniffFormat } from '../../src/sources/open.js';
import { splunkReader } from '../../src/sources/splunk.js';
import { windowsXmlReader } from '../../src/sources/windows-xml.js';
import { winEventLogReader } from '../../src/sources/wineventlog.js';
import { chunked, readWith } from './helpers.js';

const WIN = fileURLToPath(new URL('../fixtures/windows/', import.meta.url));
const FIXTURE = readFileSync(`${WIN}atomic-1-3-4.wineventlog.log`, 'utf8');
const read = (data: string, sizes = [65_536]) => readWith(winEventLogReader, chunked(data, sizes), 'windows-security.log');

const SECURITY_4688 = [
  '08/23/2017 08:33:29 PM',
  'LogName=Security',
  'SourceName=Microsoft Windows security auditing.',
  'EventCode=4688',
  'EventType=0',
  'Type=Information',
  'ComputerName=wrk-btun.frothly.local',
  'TaskCategory=Process Creation',
  'OpCode=Info',
  'RecordNumber=57321',
  'Keywords=Audit Success',
  'Message=A new process has been created.',
  '',
  'Creator Subject:',
  '\tSecurity ID:\t\tS-1-5-21-1-2-3-1104',
  '\tAccount Name:\t\tbilly.tun',
  '\tAccount Domain:\t\tFROTHLY',
  '\tLogon ID:\t\t0x25276',
  '',
  'Target Subject:',
  '\tSecurity ID:\t\tS-1-0-0',
  '\tAccount Name:\t\t-',
  '',
  'Process Information:',
  '\tNew Process ID:\t\t0x1168',
  '\tNew Process Name:\tC:\\Windows\\System32\\netsh.exe',
  '\tToken Elevation Type:\tTokenElevationTypeFull (2)',
  '\tCreator Process ID:\t0xe80',
  '\tCreator Process Name:\tC:\\Windows\\System32\\cmd.exe',
  '\tProcess Command Line:\t"C:\\Windows\\system32\\netsh.exe"  advfirewall set allprofiles state off',
  '',
  'Token Elevation Type indicates the type of token that was assigned to the new process.',
  '',
].join('\r\n');

/** The same events as windows-xml reads them from the atomic tests' Sysmon XML. */
async function xmlEvents(): Promise<NormalizedEvent[]> {
  const events: NormalizedEvent[] = [];
  for (const name of ['atomic1-npm-postinstall', 'atomic3-workflow-file', 'atomic4-registry-4873']) {
    events.push(...(await readWith(windowsXmlReader, Readable.from([readFileSync(`${WIN}${name}.sysmon.xml`)]), name)).events);
  }
  return events;
}

const SIGMA_FIELDS = ['Channel', 'Computer', 'Image', 'CommandLine', 'ParentImage', 'ParentCommandLine', 'User', 'TargetFilename', 'DestinationIp', 'DestinationPort', 'ProcessId', 'Hashes', 'UtcTime'];
/** Numbers as EVTX gives them (windows-xml keeps the XML's text; the rules compare them alike). */
const sigmaView = (events: NormalizedEvent[]) =>
  events.map((e) => ({
    category: e.category, product: e.product, service: e.service, host: e.host, user: e.user,
    ids: [Number(e.fields.EventID), Number(e.fields.EventRecordID)],
    fields: Object.fromEntries(SIGMA_FIELDS.map((k) => [k, e.fields[k]])),
  }));

describe('wineventlog: sniffing', () => {
  it('knows a time stamp line followed by a header line, with or without milliseconds, LF or CRLF', () => {
    expect(sniffFormat(FIXTURE)?.format).toBe('wineventlog');
    expect(sniffFormat(SECURITY_4688)?.format).toBe('wineventlog');
    expect(sniffFormat(`\n\n${SECURITY_4688}`)?.format).toBe('wineventlog');
  });

  it('not a time stamp alone, nor a header without one', () => {
    expect(sniffFormat('08/23/2017 08:33:29 PM\nsomething else\n')?.format).not.toBe('wineventlog');
    expect(sniffFormat('LogName=Security\nEventCode=4688\n')?.format).not.toBe('wineventlog');
    expect(sniffFormat('2017-08-23 20:33:29\nLogName=Security\n')?.format).not.toBe('wineventlog');
  });
});

describe('wineventlog: events', () => {
  it('Sysmon: the data items of the message by name, the time of UtcTime, as windows-xml reads the same events', async () => {
    const { events, bad } = await read(FIXTURE);
    expect(bad).toEqual([]);
    expect(events).toHaveLength(7);
    expect(sigmaView(events)).toEqual(sigmaView(await xmlEvents()));
    expect(events.map((e) => e.source.line)).toEqual([1, 39, 77, 115, 138, 176, 199]);
    // The time the event happened, in UTC (the time stamp line is the forwarder's, in no zone).
    expect(events.map((e) => e.time)).toEqual(events.map((e) => Date.parse(`${String(e.fields.UtcTime).replace(' ', 'T')}Z`)));
    expect(events[0]!.fields).toMatchObject({ TaskCategory: 'Process Create (rule: ProcessCreate)', Security_UserID: 'S-1-5-18', Keywords: 'None' });
    // The header's User is the translation of Sid, not the process's user.
    expect(events[0]!.fields.User).toBe('CORP\\alice');
  });

  it('reads the same, cut into chunks at every few bytes', async () => {
    const whole = await read(FIXTURE);
    const cut = await read(FIXTURE, [7, 1, 130, 2]);
    expect(cut.events).toEqual(whole.events);
  });

  it("Security 4688: the message's process lines as the data items, the Security mapping, the time stamp read as UTC", async () => {
    const { events, bad } = await read(SECURITY_4688);
    expect(bad).toEqual([]);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({ category: 'process_creation', product: 'windows', service: 'security', host: 'wrk-btun.frothly.local', user: 'FROTHLY\\billy.tun' });
    expect(event!.time).toBe(Date.UTC(2017, 7, 23, 20, 33, 29));
    expect(event!.fields).toMatchObject({
      EventID: 4688,
      Provider_Name: 'Microsoft-Windows-Security-Auditing',
      Channel: 'Security',
      EventRecordID: 57321,
      Image: 'C:\\Windows\\System32\\netsh.exe',
      ParentImage: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: '"C:\\Windows\\system32\\netsh.exe"  advfirewall set allprofiles state off',
      SubjectUserSid: 'S-1-5-21-1-2-3-1104',
      TaskCategory: 'Process Creation',
    });
    expect(event!.fields.Message).toMatch(/^A new process has been created\.\n\nCreator Subject:\n/);
    expect(event!.fields.Message).toMatch(/assigned to the new process\.$/);
  });

  it('12 AM is midnight, 12 PM noon; milliseconds kept; an impossible date gives no time', async () => {
    const at = async (stamp: string) => (await read(`${stamp}\nLogName=Application\nSourceName=App\nEventCode=1\nMessage=x\n`)).events[0]!.time;
    expect(await at('01/02/2020 12:05:00 AM')).toBe(Date.UTC(2020, 0, 2, 0, 5));
    expect(await at('01/02/2020 12:05:00 PM')).toBe(Date.UTC(2020, 0, 2, 12, 5));
    expect(await at('01/02/2020 01:05:00.250 PM')).toBe(Date.UTC(2020, 0, 2, 13, 5, 0, 250));
    expect(await at('02/30/2020 01:05:00 PM')).toBeUndefined();
  });

  it('other events keep their message; a time stamp line inside a message that no header follows stays in it', async () => {
    const text = [
      '03/24/2021 02:08:10 PM', 'LogName=Application', 'SourceName=MsiInstaller', 'EventCode=1040', 'ComputerName=ws1', 'Message=Beginning a Windows Installer transaction:',
      '03/24/2021 02:08:09 PM', 'Client Process Id: 4242.',
      '03/24/2021 02:08:11 PM', 'EventCode=1042', 'LogName=Application', 'SourceName=MsiInstaller', 'Message=Ending a Windows Installer transaction.', '',
    ].join('\n');
    const { events, bad } = await read(text);
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.source.line, e.fields.EventID, e.fields.Provider_Name, e.fields.Channel])).toEqual([
      [1, 1040, 'MsiInstaller', 'Application'],
      [9, 1042, 'MsiInstaller', 'Application'],
    ]);
    expect(events[0]!.fields.Message).toBe('Beginning a Windows Installer transaction:\n03/24/2021 02:08:09 PM\nClient Process Id: 4242.');
  });

  it('text before the first event and an event without EventCode are bad records with their lines; reading goes on', async () => {
    const text = ['garbage line', 'more', '', SECURITY_4688.replace('EventCode=4688\r\n', ''), SECURITY_4688].join('\n');
    const { events, bad } = await read(text);
    expect(bad.map((b) => [b.line, b.format, b.reason])).toEqual([
      [1, 'wineventlog', expect.stringContaining('not a WinEventLog event')],
      [4, 'wineventlog', 'WinEventLog event without EventCode, LogName or SourceName'],
    ]);
    expect(events.map((e) => [e.source.line, e.fields.EventID])).toEqual([[36, 4688]]);
  });

  it('a time stamp line that no header follows, first in the file or last, stays in the text it is in', async () => {
    const text = ['01/02/2020 01:05:00 PM', 'not a header', SECURITY_4688, '01/02/2020 01:06:00 PM'].join('\n');
    const { events, bad } = await read(text);
    expect(bad.map((b) => [b.line, b.reason])).toEqual([[1, 'WinEventLog event without EventCode, LogName or SourceName']]);
    expect(events.map((e) => [e.source.line, e.fields.EventID])).toEqual([[3, 4688]]);
    expect(events[0]!.fields.Message).toMatch(/assigned to the new process\.\n\n01\/02\/2020 01:06:00 PM$/);
  });

  it("header keys that are an object's own names are fields like any other", async () => {
    const { events } = await read('01/02/2020 01:05:00 PM\nLogName=Application\nSourceName=App\nEventCode=1\nconstructor=a\ntoString=b\nhasOwnProperty=d\nMessage=x\n');
    expect(events[0]!.fields).toMatchObject({ constructor: 'a', toString: 'b', hasOwnProperty: 'd', Message: 'x' });
  });

  it('an event longer than 16 Mi characters is one bad record, not held; the next is read', async () => {
    const huge = `01/02/2020 01:05:00 PM\nLogName=Windows PowerShell\nSourceName=PowerShell\nEventCode=800\nMessage=${'A'.repeat(1024 * 1024)}\n`.repeat(1);
    const lines = `01/02/2020 01:05:00 PM\nLogName=Windows PowerShell\nSourceName=PowerShell\nEventCode=800\nMessage=x\n${`${'B'.repeat(1024 * 1024)}\n`.repeat(17)}`;
    const { events, bad } = await read(lines + huge, [1 << 20]);
    expect(bad).toEqual([{ file: 'windows-security.log', format: 'wineventlog', line: 1, reason: 'event longer than 16777216 characters' }]);
    expect(events.map((e) => [e.source.line, e.fields.EventID])).toEqual([[23, 800]]);
  });
});

describe('splunk: _raw holding the classic text', () => {
  it('a WinEventLog:Security result is its _raw event, the extracted fields beside it, the time of _time', async () => {
    const result = {
      _raw: SECURITY_4688,
      _time: '2017-08-23T13:33:29.000-07:00',
      sourcetype: 'WinEventLog:Security',
      host: 'wrk-btun',
      New_Process_Name: 'C:\\Windows\\System32\\netsh.exe',
    };
    const { events, bad } = await readWith(splunkReader, Readable.from([JSON.stringify({ preview: false, offset: 0, result })]), 'export.json');
    expect(bad).toEqual([]);
    expect(events[0]).toMatchObject({ category: 'process_creation', service: 'security', host: 'wrk-btun.frothly.local', time: Date.UTC(2017, 7, 23, 20, 33, 29) });
    expect(events[0]!.fields).toMatchObject({ Image: 'C:\\Windows\\System32\\netsh.exe', ParentImage: 'C:\\Windows\\System32\\cmd.exe', New_Process_Name: 'C:\\Windows\\System32\\netsh.exe' });
  });
});
