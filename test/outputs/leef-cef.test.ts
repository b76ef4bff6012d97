import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cefFormatter } from '../../src/outputs/cef.js';
import { leefFormatter } from '../../src/outputs/leef.js';
import { ARM_COLUMN, hostileAlert, hostileRule } from './hostile-alert.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const ID = '11111111-2222-4333-8444-555555555555';
const leef = () => leefFormatter({ columns: [ARM_COLUMN] });
const cef = () => cefFormatter({ columns: [ARM_COLUMN] });

describe('LEEF 2.0', () => {
  it('writes one line: the rule id as event id, tab declared as x09, hostile values made inert', () => {
    const attributes = [
      'devTime=2026-11-27T09:16:40.004Z',
      "devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX",
      'sev=8',
      'cat=high',
      'ruleName=Pipe | back\\slash\\nnew',
      `ruleId=${ID}`,
      'pack=hostile',
      'identHostName=HOST',
      'usrName=CORP\\alice',
      'Image=C:\\Windows\\cmd.exe',
      'CommandLine=cmd /c "a|b" x=1 C:\\tmp\\t\\tTAB\\nNEXT\\r\\u001b[31mRED\\u202eevil',
      'col_Arm=A=B|C',
      'sourceFile=/logs/x.ndjson',
      'sourceLine=7',
    ];
    expect(leef().format(hostileAlert())).toBe(`LEEF:2.0|supplywatch|supplywatch|${VERSION}|${ID}|x09|${attributes.join('\t')}\n`);
  });

  it('keeps exactly the declared delimiters: one tab between attributes, no other tab or line break', () => {
    const line = leef().format(hostileAlert());
    expect(line.slice(0, -1)).not.toMatch(/[\r\n\u001b\u202e]/);
    expect(line.split('|').slice(6).join('|').split('\t')).toHaveLength(14);
  });

  it('escapes | and \\ in a header field (an id from an untrusted rule file)', () => {
    const line = leef().format(hostileAlert(hostileRule({ id: 'a|b\\c' })));
    expect(line.startsWith(`LEEF:2.0|supplywatch|supplywatch|${VERSION}|a\\|b\\\\c|x09|`)).toBe(true);
  });
});

describe('CEF', () => {
  it('escapes \\ and | in the header, \\ = and line breaks in extensions; controls become visible text', () => {
    const extensions = [
      'rt=1795771000004',
      'dvchost=HOST',
      'suser=CORP\\\\alice',
      'sproc=C:\\\\Windows\\\\cmd.exe',
      'cs1Label=CommandLine',
      'cs1=cmd /c "a|b" x\\=1 C:\\\\tmp\\\\t\\\\u0009TAB\\nNEXT\\r\\\\u001b[31mRED\\\\u202eevil',
      'cs4Label=SigmaRuleId',
      `cs4=${ID}`,
      'cs5Label=Pack',
      'cs5=hostile',
      'cs6Label=Level',
      'cs6=high',
      'fname=/logs/x.ndjson',
      'col_Arm=A\\=B|C',
    ];
    const header = `CEF:0|supplywatch|supplywatch|${VERSION}|${ID}|Pipe \\| back\\\\slash\\\\u000anew|8|`;
    expect(cef().format(hostileAlert())).toBe(`${header}${extensions.join(' ')}\n`);
  });

  it('has exactly seven unescaped pipes before the extensions, whatever the title holds', () => {
    const line = cef().format(hostileAlert(hostileRule({ title: '||\\|' })));
    const fields = line.replace(/\\./g, '').split('|');
    expect(fields[5]).toBe('');
    expect(fields[6]).toBe('8');
    expect(fields[7]!.startsWith('rt=')).toBe(true);
  });
});

describe('event id and severity', () => {
  it('come from the rule id and level, never the title', () => {
    const a = leef().format(hostileAlert(hostileRule({ title: 'one title' })));
    const b = leef().format(hostileAlert(hostileRule({ title: 'another title' })));
    expect(a.split('|')[4]).toBe(ID);
    expect(b.split('|')[4]).toBe(ID);
  });

  it('a rule without an id is named by its file, and severities follow the level', () => {
    const noId = hostileRule({ id: undefined, level: 'critical' });
    expect(cef().format(hostileAlert(noId)).split('|').slice(4, 7)).toEqual(['file:hostile.yml', 'Pipe \\', ' back\\\\slash\\\\u000anew']);
    const levels = ['informational', 'low', 'medium', 'high', 'critical'].map((level) => leef().format(hostileAlert(hostileRule({ level }))).match(/\tsev=(\d+)\t/)![1]);
    expect(levels).toEqual(['1', '3', '5', '8', '10']);
  });
});
