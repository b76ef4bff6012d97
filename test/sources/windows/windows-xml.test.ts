import { describe, expect, it } from 'vitest';
import { parseEventXml } from '../../../src/sources/event-xml.js';
import { windowsXmlReader } from '../../../src/sources/windows-xml.js';
import { sniffFormat } from '../../../src/sources/open.js';
import { chunked, readWith, withoutSource } from '../helpers.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WIN = fileURLToPath(new URL('../../fixtures/windows/', import.meta.url));
const fixture = (name: string) => readFileSync(WIN + name);

const SYSMON1 = `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/><EventID>1</EventID><TimeCreated SystemTime='2026-11-27T09:14:02.1213388Z'/><EventRecordID>7</EventRecordID><Correlation/><Execution ProcessID='3120' ThreadID='4408'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>WS1</Computer><Security UserID='S-1-5-18'/></System><EventData><Data Name='Image'>C:\\Windows\\System32\\cmd.exe</Data><Data Name='CommandLine'>cmd /c "a &amp; b" &lt;x&gt;</Data><Data Name='ParentImage'>C:\\node.exe</Data><Data Name='Empty'/><Data Name='User'>CORP\\alice</Data></EventData></Event>`;

describe('event-xml: one <Event> → flat fields', () => {
  it('names System children, attributes and EventData as evtx-json does', () => {
    const parsed = parseEventXml(SYSMON1);
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(parsed.truncated).toBe(false);
    expect(parsed.fields).toEqual({
      Provider_Name: 'Microsoft-Windows-Sysmon',
      Provider_Guid: '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}',
      EventID: '1',
      TimeCreated_SystemTime: '2026-11-27T09:14:02.1213388Z',
      EventRecordID: '7',
      Execution_ProcessID: '3120',
      Execution_ThreadID: '4408',
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'WS1',
      Security_UserID: 'S-1-5-18',
      Image: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'cmd /c "a & b" <x>',
      ParentImage: 'C:\\node.exe',
      Empty: '',
      User: 'CORP\\alice',
    });
  });

  it('keeps anonymous Data items in order, UserData leaves, RenderingInfo and CDATA', () => {
    const xml = `<Event><System><Provider Name='Application Error'/><EventID Qualifiers='0'>1000</EventID><Channel>Application</Channel></System>
      <EventData><Data>first</Data><Data><![CDATA[second <raw>]]></Data><Binary>00FF</Binary></EventData>
      <RenderingInfo Culture='en-US'><Message>Faulting application</Message><Level>Error</Level><Keywords><Keyword>Classic</Keyword><Keyword>Audit</Keyword></Keywords></RenderingInfo></Event>`;
    const parsed = parseEventXml(xml);
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(parsed.fields).toMatchObject({
      EventID: '1000',
      EventID_Qualifiers: '0',
      Data: ['first', 'second <raw>'],
      Binary: '00FF',
      RenderingInfo_Culture: 'en-US',
      RenderingInfo_Message: 'Faulting application',
      RenderingInfo_Level: 'Error',
      RenderingInfo_Keywords: ['Classic', 'Audit'],
    });
    const cleared = parseEventXml(`<Event><System><EventID>1102</EventID><Channel>Security</Channel></System><UserData><LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'><SubjectUserSid>S-1-5-21-1</SubjectUserSid><SubjectUserName>bob</SubjectUserName></LogFileCleared></UserData></Event>`);
    if (typeof cleared === 'string') throw new Error(cleared);
    expect(cleared.fields).toMatchObject({ SubjectUserSid: 'S-1-5-21-1', SubjectUserName: 'bob' });
  });

  it('rejects malformed XML and a missing System, and keeps a cut-short element flagged', () => {
    expect(parseEventXml('<Event><System><EventID>1</EventID></System><EventData></Event>')).toMatch(/^invalid XML/);
    expect(parseEventXml('<Event><EventData/></Event>')).toBe('<Event> has no <System> element');
    const cut = parseEventXml(SYSMON1.slice(0, SYSMON1.indexOf('<Data Name=\'ParentImage\'>') + 32));
    if (typeof cut === 'string') throw new Error(cut);
    expect(cut.truncated).toBe(true);
    expect(cut.fields.CommandLine).toBe('cmd /c "a & b" <x>');
    expect(cut.fields.ParentImage).toBe('C:\\node');
  });

  it("repairs Sysmon for Linux's bare '&lt ' entities instead of losing the event", () => {
    const parsed = parseEventXml(`<Event><System><EventID>5</EventID></System><EventData><Data Name="Image">&lt unknown process&gt </Data><Data Name="X">a & b</Data></EventData></Event>`);
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(parsed.fields).toMatchObject({ Image: '< unknown process> ', X: 'a & b' });
  });
});

describe('windows-xml reader', () => {
  it('sniffs wevtutil and Get-WinEvent output, UTF-8 and UTF-16', () => {
    for (const name of ['atomic1-npm-postinstall.sysmon.xml', 'atomic3-workflow-file.sysmon.xml', 'atomic4-registry-4873.sysmon.xml']) {
      expect(sniffFormat(fixture(name).toString('utf8'))?.format).toBe('windows-xml');
    }
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fixture('atomic3-workflow-file.sysmon.xml').toString('utf8'), 'utf16le')]);
    expect(sniffFormat(new TextDecoder().decode(utf16))?.format).toBe('windows-xml');
  });

  it('reads <Events> with RenderingInfo: Sysmon categories, host, user, time, rendered message', async () => {
    const { events, bad } = await readWith(windowsXmlReader, chunked(fixture('atomic1-npm-postinstall.sysmon.xml'), [4096]), 'a1.xml');
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.category, e.product, e.service, e.fields.EventID, e.source.line, e.source.record])).toEqual([
      // Lines checked with `grep -n '<Event ' FILE` (the rendered messages span lines).
      ['process_creation', 'windows', 'sysmon', '1', 3, 0],
      ['process_creation', 'windows', 'sysmon', '1', 27, 1],
      ['process_creation', 'windows', 'sysmon', '1', 51, 2],
      ['file_event', 'windows', 'sysmon', '11', 75, 3],
    ]);
    const hook = events[1]!;
    expect(hook).toMatchObject({ host: 'DEV-WS-042.corp.example.com', user: 'CORP\\alice', time: Date.UTC(2026, 10, 27, 9, 14, 2, 121) });
    expect(hook.fields.ParentImage).toBe('C:\\Program Files\\nodejs\\node.exe');
    expect(String(hook.fields.RenderingInfo_Message)).toMatch(/^Process Create:\nRuleName: -\n/); // XML end-of-line handling turns CRLF into LF
    expect(hook.fields.RenderingInfo_Task).toBe('Process Create (rule: ProcessCreate)');
  });

  it('gives the same events whatever the chunking, in UTF-8 and UTF-16LE, with byte offsets', async () => {
    const text = fixture('atomic1-npm-postinstall.sysmon.xml').toString('utf8');
    const whole = await readWith(windowsXmlReader, chunked(text, [1 << 20]));
    for (const sizes of [[1], [7, 13], [333]]) {
      const cut = await readWith(windowsXmlReader, chunked(text, sizes));
      expect(withoutSource(cut.events)).toEqual(withoutSource(whole.events));
      expect(cut.events.map((e) => e.source.offset)).toEqual(whole.events.map((e) => e.source.offset));
    }
    // Offsets are bytes: the event starts with '<Event' at each offset.
    const bytes = Buffer.from(text);
    for (const e of whole.events) expect(bytes.subarray(e.source.offset!, e.source.offset! + 6).toString()).toBe('<Event');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const wide = await readWith(windowsXmlReader, chunked(utf16, [1001]));
    expect(withoutSource(wide.events)).toEqual(withoutSource(whole.events));
    expect(wide.events[0]!.source.offset).toBe(2 + 2 * text.indexOf('<Event '));
  });

  it('reports a broken event, a cut-short event and stray text with line and record, and reads the rest', async () => {
    const good = fixture('atomic4-registry-4873.sysmon.xml').toString('utf8');
    const broken = good.replace("<Data Name='Image'>", "<Data Name='Image'><b>");
    const text = [good, broken, good.slice(0, 300), good, 'garbage here', good.slice(0, 500)].join('\n');
    const { events, bad } = await readWith(windowsXmlReader, chunked(text, [97]), 'bad.xml');
    expect(events.map((e) => e.source.line)).toEqual([1, 4]);
    expect(bad.map((b) => [b.line, b.record, b.reason.replace(/:.*/s, '')])).toEqual([
      [2, 1, 'invalid XML'],
      [3, 2, 'incomplete <Event> (a new <Event> starts before it ends)'],
      [5, undefined, 'unexpected text outside <Event>'],
      [6, 4, 'truncated <Event> at end of input'],
    ]);
    expect(bad.every((b) => b.file === 'bad.xml' && b.format === 'windows-xml')).toBe(true);
  });
});
