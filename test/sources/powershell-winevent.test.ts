import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { sniffFormat } from '../../src/sources/open.js';
import { powershellWinEventReader } from '../../src/sources/powershell-winevent.js';
import { runCli } from '../helpers/cli.js';
import { readWith } from './helpers.js';

/**
 * test/fixtures/windows/get-winevent.convertto-json.json is hand-written in the shape Windows
 * PowerShell 5.1's `Get-WinEvent … | ConvertTo-Json` gives (an array, 4-space indentation, CRLF,
 * `/Date(ms)/`, EventProperty objects as `{"Value": …}`, a SID as an object with its `Value`, and
 * Sysmon's rendered `Message`). The expectations below are read off that input.
 */
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/windows/get-winevent.convertto-json.json');

const seen = (e: NormalizedEvent) => ({
  line: e.source.line, category: e.category, service: e.service, host: e.host, user: e.user, time: e.time,
  EventID: e.fields.EventID, Image: e.fields.Image, CommandLine: e.fields.CommandLine, ParentImage: e.fields.ParentImage, TargetFilename: e.fields.TargetFilename,
});

const EXPECTED = [
  { line: 2, category: 'process_creation', service: 'sysmon', host: 'DEV-WS-042', user: 'CORP\\alice', time: 1795770842120, EventID: 1,
    Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'C:\\Windows\\system32\\cmd.exe /d /s /c "whoami > %TEMP%\\argus-npm-test.txt"',
    ParentImage: 'C:\\Program Files\\nodejs\\node.exe', TargetFilename: undefined },
  { line: 42, category: 'file_event', service: 'sysmon', host: 'DEV-WS-042', user: 'CORP\\alice', time: 1795773739000, EventID: 11,
    Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: undefined, ParentImage: undefined, TargetFilename: 'C:\\src\\app\\.github\\workflows\\ci.yml' },
  { line: 62, category: 'process_creation', service: 'security', host: 'DEV-WS-042', user: 'CORP\\alice', time: 1795770843000, EventID: 4688,
    Image: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /all', ParentImage: 'C:\\Windows\\System32\\cmd.exe', TargetFilename: undefined },
];

describe('powershell-winevent: Get-WinEvent | ConvertTo-Json', () => {
  it('is recognised, and reads Sysmon data from the message and 4688 data by position', async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    expect(sniffFormat(text.slice(0, 65536))?.format).toBe('powershell-winevent');
    const { events, bad } = await readWith(powershellWinEventReader, Readable.from([Buffer.from(text)]), FIXTURE);
    expect(bad).toEqual([]);
    expect(events.map(seen)).toEqual(EXPECTED);
    // 4688's own names, and the SID objects' values.
    expect(events[2]!.fields).toMatchObject({ SubjectUserSid: 'S-1-5-21-1-2-3-1001', NewProcessId: 5124, ProcessId: 5124, ParentProcessId: 7312, MandatoryLabel: 'S-1-16-8192' });
    expect(events[0]!.fields).toMatchObject({ Security_UserID: 'S-1-5-18', ParentCommandLine: '"C:\\Program Files\\nodejs\\node.exe" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" install argus-test-pkg' });
  });

  it('reads one compressed object per line the same, reports a record that is none, and goes on', async () => {
    const records = JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown[];
    const lines = [JSON.stringify(records[0]), JSON.stringify({ Id: 1, LogName: 'x', MachineName: 'y', Properties: [] }), JSON.stringify(records[2])].join('\n') + '\n';
    expect(sniffFormat(lines)?.format).toBe('powershell-winevent');
    const { events, bad } = await readWith(powershellWinEventReader, Readable.from([Buffer.from(lines)]), 'lines.json');
    expect(bad.map((b) => [b.line, b.reason])).toEqual([[2, 'not a Get-WinEvent record (no Id or ProviderName)']]);
    expect(events.map((e) => [e.source.line, e.fields.EventID, e.fields.Image])).toEqual([[1, 1, EXPECTED[0]!.Image], [3, 4688, EXPECTED[2]!.Image]]);
  });

  it('reads a record whose time is past what a Date holds without it, and the records after it', async () => {
    const records = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Array<Record<string, unknown>>;
    const text = JSON.stringify([{ ...records[0], TimeCreated: '/Date(99999999999999999999)/' }, records[2]]);
    const { events, bad } = await readWith(powershellWinEventReader, Readable.from([Buffer.from(text)]), 'absurd.json');
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.time, e.fields.EventID, e.fields.TimeCreated_SystemTime])).toEqual([[undefined, 1, undefined], [1795770843000, 4688, '2026-11-27T09:14:03.000Z']]);
  });

  it('gives the seed pack its arm 1 alert, also from the UTF-16 file Windows PowerShell writes with >', async () => {
    const wide = join(dirname(FIXTURE), '..', '..', '..', 'node_modules', '.cache-sw-utf16.json');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync(FIXTURE, 'utf8'), 'utf16le')]);
    const { writeFileSync, rmSync } = await import('node:fs');
    writeFileSync(wide, utf16);
    try {
      for (const file of [FIXTURE, wide]) {
        const r = await runCli(['scan', '--rules', 'seed', '--format', 'jsonl', file]);
        const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { label?: string; source: { line: number; format: string } });
        expect(alerts.map((a) => [a.label, a.source.line, a.source.format])).toEqual([['PackageManagerSpawnedSuspiciousChild', 2, 'powershell-winevent']]);
      }
    } finally {
      rmSync(wide, { force: true });
    }
  });
});

describe('powershell-winevent: other events', () => {
  it("a Security 4624's Properties stay an anonymous Data list, and its message's lines give the items by name", async () => {
    const record = {
      Id: 4624, ProviderName: 'Microsoft-Windows-Security-Auditing', LogName: 'Security', MachineName: 'PC01.example.corp', RecordId: 227701,
      TimeCreated: '2019-02-13T18:02:04.4266620Z',
      Properties: [{ Value: 'S-1-5-18' }, { Value: 'PC01$' }],
      Message: 'An account was successfully logged on.\r\n\r\nSubject:\r\n\tSecurity ID:\t\tS-1-5-18\r\n\tAccount Name:\t\tPC01$\r\n\r\nLogon Type:\t\t\t11\r\n\r\nNew Logon:\r\n\tAccount Name:\t\tuser01\r\n\r\nNetwork Information:\r\n\tSource Network Address:\t127.0.0.1',
    };
    const { events, bad } = await readWith(powershellWinEventReader, Readable.from([JSON.stringify(record)]), 'security.json');
    expect(bad).toEqual([]);
    expect(events[0]!.fields).toMatchObject({
      EventID: 4624, Data: ['S-1-5-18', 'PC01$'], SubjectUserName: 'PC01$', LogonType: '11', TargetUserName: 'user01', IpAddress: '127.0.0.1',
    });
    expect(events[0]).toMatchObject({ service: 'security', host: 'PC01.example.corp' });
  });
});

describe('powershell-winevent: Get-WinEvent | Export-Csv', () => {
  // The fixture's records as Export-Csv writes them: every value quoted, Properties as its type
  // name, TimeCreated in the machine's locale; a 4688 whose Message is the whole rendering.
  const records = JSON.parse(readFileSync(FIXTURE, 'utf8').replace(/^\uFEFF/, '')) as Array<Record<string, unknown>>;
  const columns = Object.keys(records[0]!);
  const message4688 = [
    'A new process has been created.', '', 'Creator Subject:', '\tSecurity ID:\t\tS-1-5-21-1-2-3-1001', '\tAccount Name:\t\talice', '\tAccount Domain:\t\tCORP', '',
    'Process Information:', '\tNew Process ID:\t\t0x1d18', '\tNew Process Name:\tC:\\Windows\\System32\\whoami.exe', '\tToken Elevation Type:\t%%1938',
    '\tCreator Process ID:\t0x1c90', '\tCreator Process Name:\tC:\\Windows\\System32\\cmd.exe', '\tProcess Command Line:\twhoami /all',
  ].join('\r\n');
  const cell = (value: unknown, column: string): string => {
    const text = column === 'Properties' ? 'System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]'
      : column === 'TimeCreated' ? '11/27/2026 9:14:02 AM'
      : value === undefined || value === null ? '' : typeof value === 'object' ? String((value as { Value?: unknown }).Value ?? '') : String(value);
    return `"${text.replace(/"/g, '""')}"`;
  };
  const rows = records.map((r) => columns.map((c) => cell(c === 'Message' && r.Id === 4688 ? message4688 : r[c], c)).join(','));
  const csv = [columns.map((c) => `"${c}"`).join(','), ...rows].join('\r\n') + '\r\n';

  for (const [name, text] of [['Windows PowerShell 5.1, with its #TYPE line', '#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n' + csv], ['PowerShell 7', csv]] as const) {
    it(`${name}: recognised; Sysmon from its message with the time of UtcTime, 4688 from its process lines, no local time taken`, async () => {
      expect(sniffFormat(text)?.format).toBe('powershell-winevent');
      expect(powershellWinEventReader.splitsInput!(text)).toBe(false);
      const { events, bad } = await readWith(powershellWinEventReader, Readable.from([Buffer.from(text)]), 'events.csv');
      expect(bad).toEqual([]);
      const { line: _l0, ...first } = EXPECTED[0]!;
      const { line: _l1, ...second } = EXPECTED[1]!;
      const { line: _l2, time: _t2, ...third } = EXPECTED[2]!;
      expect(events.map(seen).map(({ line: _line, ...rest }) => rest)).toEqual([first, second, { ...third, time: undefined }]);
      // Each row starts after the lines before it (its message's line breaks included).
      let line = text.startsWith('#TYPE') ? 3 : 2;
      const starts = rows.map((row) => {
        const at = line;
        line += row.split('\n').length;
        return at;
      });
      expect(events.map((e) => e.source.line)).toEqual(starts);
    });
  }
});
