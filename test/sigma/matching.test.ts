/** Modifiers, values and conditions evaluated on events. */
import { describe, expect, it } from 'vitest';
import { loadRulesFromText, type SigmaRule } from '../../src/sigma/index.js';
import { event } from './helpers.js';

/** Compile a rule from its detection block (YAML, indented by 4) and test it on fields. */
function rule(detection: string) {
  const text = `title: t\nlogsource:\n    product: windows\ndetection:\n${detection.replace(/^/gm, '    ')}\n`;
  const r = loadRulesFromText(text, 'inline.yml');
  expect(r.rejected).toEqual([]);
  return (fields: Record<string, unknown>) => r.rules[0]!.matches(event(fields));
}

describe('string matching', () => {
  it('is case-insensitive and whole-value by default', () => {
    const m = rule("sel:\n    Image: 'C:\\Windows\\cmd.exe'\ncondition: sel");
    expect(m({ Image: 'c:\\windows\\CMD.EXE' })).toBe(true);
    expect(m({ Image: 'c:\\windows\\cmd.exe2' })).toBe(false);
  });
  it('contains / startswith / endswith', () => {
    expect(rule('sel:\n    F|contains: mid\ncondition: sel')({ F: 'aMIDb' })).toBe(true);
    expect(rule('sel:\n    F|startswith: ab\ncondition: sel')({ F: 'ABc' })).toBe(true);
    expect(rule('sel:\n    F|startswith: ab\ncondition: sel')({ F: 'cab' })).toBe(false);
    expect(rule('sel:\n    F|endswith: .exe\ncondition: sel')({ F: 'x.EXE' })).toBe(true);
  });
  it('wildcards * and ? in the middle, escaped wildcards literal', () => {
    const m = rule("sel:\n    F: 'a*b?c'\ncondition: sel");
    expect(m({ F: 'aXXbYc' })).toBe(true);
    expect(m({ F: 'abc' })).toBe(false);
    const lit = rule("sel:\n    F: 'a\\*b'\ncondition: sel");
    expect(lit({ F: 'a*b' })).toBe(true);
    expect(lit({ F: 'aXb' })).toBe(false);
  });
  it('list values are OR, |all makes them AND', () => {
    const or = rule('sel:\n    F|contains: [aa, bb]\ncondition: sel');
    expect(or({ F: 'xxbb' })).toBe(true);
    const and = rule('sel:\n    F|contains|all: [aa, bb]\ncondition: sel');
    expect(and({ F: 'xxbb' })).toBe(false);
    expect(and({ F: 'bbxaa' })).toBe(true);
  });
  it('list-valued event fields match if any element matches', () => {
    expect(rule('sel:\n    F: b\ncondition: sel')({ F: ['a', 'B'] })).toBe(true);
  });
  it('cased makes matching case-sensitive', () => {
    const m = rule('sel:\n    F|cased: Abc\ncondition: sel');
    expect(m({ F: 'Abc' })).toBe(true);
    expect(m({ F: 'abc' })).toBe(false);
  });
  it('empty string matches only the empty string', () => {
    const m = rule("sel:\n    F: ''\ncondition: sel");
    expect(m({ F: '' })).toBe(true);
    expect(m({ F: 'x' })).toBe(false);
    expect(m({})).toBe(false);
  });
});

describe('typed values', () => {
  it('numbers match numbers and their string form', () => {
    const m = rule('sel:\n    EventID: 4688\ncondition: sel');
    expect(m({ EventID: 4688 })).toBe(true);
    expect(m({ EventID: '4688' })).toBe(true);
    expect(m({ EventID: 4689 })).toBe(false);
  });
  it('booleans match booleans and "true"/"false"', () => {
    const m = rule('sel:\n    F: true\ncondition: sel');
    expect(m({ F: true })).toBe(true);
    expect(m({ F: 'TRUE' })).toBe(true);
    expect(m({ F: false })).toBe(false);
  });
  it('null matches a present null only, not an absent field', () => {
    const m = rule('sel:\n    F: null\ncondition: sel');
    expect(m({ F: null })).toBe(true);
    expect(m({})).toBe(false);
    expect(m({ F: '' })).toBe(false);
  });
  it("YAML 1.2: yes stays a string, 0x10 keeps its text", () => {
    expect(rule('sel:\n    F: yes\ncondition: sel')({ F: 'yes' })).toBe(true);
    expect(rule('sel:\n    GrantedAccess: 0x1410\ncondition: sel')({ GrantedAccess: '0x1410' })).toBe(true);
  });
  it('gt/gte/lt/lte compare numbers (and numeric strings)', () => {
    expect(rule('sel:\n    N|gt: 5\ncondition: sel')({ N: 6 })).toBe(true);
    expect(rule('sel:\n    N|gt: 5\ncondition: sel')({ N: 5 })).toBe(false);
    expect(rule('sel:\n    N|gte: 5\ncondition: sel')({ N: '5' })).toBe(true);
    expect(rule('sel:\n    N|lt: 5\ncondition: sel')({ N: 4.5 })).toBe(true);
    expect(rule('sel:\n    N|lte: 5\ncondition: sel')({ N: 'x' })).toBe(false);
  });
});

describe('modifiers on events', () => {
  it('re uses unanchored search, case-sensitive unless |i', () => {
    expect(rule("sel:\n    F|re: 'b+c'\ncondition: sel")({ F: 'abbbcd' })).toBe(true);
    expect(rule("sel:\n    F|re: '^b'\ncondition: sel")({ F: 'ab' })).toBe(false);
    expect(rule("sel:\n    F|re: 'ABC'\ncondition: sel")({ F: 'abc' })).toBe(false);
    expect(rule("sel:\n    F|re|i: 'ABC'\ncondition: sel")({ F: 'abc' })).toBe(true);
    expect(rule("sel:\n    F|re|s: 'a.b'\ncondition: sel")({ F: 'a\nb' })).toBe(true);
    expect(rule("sel:\n    F|re|m: '^b$'\ncondition: sel")({ F: 'a\nb' })).toBe(true);
  });
  it('hostile regex (a+)+$ on a long string completes (linear-time engine)', () => {
    const m = rule("sel:\n    F|re: '(a+)+$'\ncondition: sel");
    expect(m({ F: 'a'.repeat(50_000) + 'b' })).toBe(false);
  });
  it('windash matches all dash variants', () => {
    const m = rule("sel:\n    CommandLine|windash|contains: ' -enc '\ncondition: sel");
    for (const d of ['-', '/', '\u2013', '\u2014', '\u2015']) expect(m({ CommandLine: `powershell ${d}enc x` })).toBe(true);
    expect(m({ CommandLine: 'powershell +enc x' })).toBe(false);
  });
  it('base64 / base64offset|contains', () => {
    expect(rule('sel:\n    F|base64: foobar\ncondition: sel')({ F: 'Zm9vYmFy' })).toBe(true);
    const m = rule('sel:\n    F|base64offset|contains: foobar\ncondition: sel');
    for (const prefix of ['', 'x', 'xy']) expect(m({ F: Buffer.from(prefix + 'foobar!').toString('base64') })).toBe(true);
  });
  it('wide|base64offset|contains finds UTF-16LE encoded text', () => {
    const m = rule('sel:\n    F|wide|base64offset|contains: iex\ncondition: sel');
    expect(m({ F: Buffer.from('a iex b', 'utf16le').toString('base64') })).toBe(true);
  });
  it('utf16be and utf16 (BOM)', () => {
    expect(rule('sel:\n    F|utf16be|base64: ab\ncondition: sel')({ F: Buffer.from('\0a\0b', 'latin1').toString('base64') })).toBe(true);
    expect(rule('sel:\n    F|utf16|base64: ab\ncondition: sel')({ F: Buffer.from([0xff, 0xfe, 0x61, 0, 0x62, 0]).toString('base64') })).toBe(true);
  });
  it('cidr for IPv4 and IPv6', () => {
    const m = rule("sel:\n    Ip|cidr: ['10.0.0.0/8', 'fe80::/10']\ncondition: sel");
    expect(m({ Ip: '10.1.2.3' })).toBe(true);
    expect(m({ Ip: '11.1.2.3' })).toBe(false);
    expect(m({ Ip: 'FE80::1' })).toBe(true);
    expect(m({ Ip: '2001:db8::1' })).toBe(false);
  });
  it('exists true/false (a null value does not exist)', () => {
    const m = rule('sel:\n    F|exists: true\ncondition: sel');
    expect(m({ F: 'x' })).toBe(true);
    expect(m({ F: null })).toBe(false);
    expect(rule('sel:\n    F|exists: false\ncondition: sel')({})).toBe(true);
  });
  it('fieldref with endswith, and absent reference', () => {
    const m = rule('sel:\n    A|fieldref|endswith: B\ncondition: sel');
    expect(m({ A: 'c:\\x\\Tool.exe', B: 'tool.exe' })).toBe(true);
    expect(m({ A: 'c:\\x\\Tool.exe' })).toBe(false);
  });
  it('neq negates the item', () => {
    const m = rule('sel:\n    F|neq: a\ncondition: sel');
    expect(m({ F: 'b' })).toBe(true);
    expect(m({ F: 'a' })).toBe(false);
  });
  it('expand placeholders are unresolved: they match nothing', () => {
    const m = rule("sel:\n    F|expand: '%admins%'\ncondition: sel");
    expect(m({ F: '%admins%' })).toBe(false);
  });
  it('keywords: case-insensitive substring over every string value, nested ones too', () => {
    const m = rule('keywords:\n    - EVIL\ncondition: keywords');
    expect(m({ a: { b: ['x', 'so evil!'] } })).toBe(true);
    expect(m({ a: 'good' })).toBe(false);
  });
  it('dotted field names resolve into nested objects', () => {
    expect(rule('sel:\n    a.b: x\ncondition: sel')({ a: { b: 'x' } })).toBe(true);
    expect(rule('sel:\n    a.b: x\ncondition: sel')({ 'a.b': 'x' })).toBe(true);
    expect(rule('sel:\n    a.b: x\ncondition: sel')({ a: [{ b: 'y' }, { b: 'x' }] })).toBe(true);
  });
});

describe('conditions', () => {
  const det = 'a:\n    F: a\nb:\n    G: b\nc:\n    H: c\n';
  const ev = (f: string, g: string, h: string) => ({ F: f, G: g, H: h });
  it('precedence: not > and > or', () => {
    const m = rule(det + 'condition: a or b and not c');
    expect(m(ev('a', '-', 'c'))).toBe(true); // a or (b and not c)
    expect(m(ev('-', 'b', 'c'))).toBe(false);
    expect(m(ev('-', 'b', '-'))).toBe(true);
  });
  it('parentheses', () => {
    const m = rule(det + 'condition: (a or b) and not c');
    expect(m(ev('a', '-', 'c'))).toBe(false);
  });
  it('1 of / all of patterns and them', () => {
    const d = 'sel_1:\n    F: a\nsel_2:\n    G: b\n_private:\n    H: c\n';
    expect(rule(d + 'condition: 1 of sel_*')(ev('-', 'b', '-'))).toBe(true);
    expect(rule(d + 'condition: all of sel_*')(ev('-', 'b', '-'))).toBe(false);
    expect(rule(d + 'condition: all of them')(ev('a', 'b', '-'))).toBe(true); // _private excluded
    expect(rule(d + 'condition: any of them')(ev('-', '-', 'c'))).toBe(false);
    expect(rule(d + 'condition: all of sel_* and not _private')(ev('a', 'b', 'c'))).toBe(false);
  });
  it('a list of conditions is their OR', () => {
    const m = rule(det + 'condition:\n    - a\n    - b');
    expect(m(ev('-', 'b', '-'))).toBe(true);
    expect(m(ev('-', '-', 'c'))).toBe(false);
  });
  it('keywords are case-insensitive for operators', () => {
    expect(rule(det + 'condition: a AND NOT b')(ev('a', '-', '-'))).toBe(true);
  });
});

describe('a rule compiles its matcher at its first test', () => {
  it('keeps the lazy matcher until then, and matches the same once compiled', () => {
    const text = "title: t\nlogsource:\n    product: windows\ndetection:\n    sel:\n        Image|endswith: '\\\\certutil.exe'\n        CommandLine|re: '(?i)-urlcache'\n    condition: sel\n";
    const loaded = loadRulesFromText(text, 'inline.yml');
    expect(loaded.rejected).toEqual([]);
    const r = loaded.rules[0]! as SigmaRule;
    const lazy = r.test;
    const hit = event({ Image: 'C:\\Windows\\System32\\CertUtil.exe', CommandLine: 'certutil -URLcache -f http://x' });
    const miss = event({ Image: 'C:\\Windows\\System32\\certutil.exe', CommandLine: 'certutil -hashfile x' });
    expect(r.matches(hit)).toBe(true);
    const compiled = r.test;
    expect(compiled).not.toBe(lazy);
    expect(r.matches(miss)).toBe(false);
    expect(r.matches(hit)).toBe(true);
    expect(r.test).toBe(compiled);
  });
});
