/** Every rejection names file:line:column of the offending node and a specific reason. */
import { describe, expect, it } from 'vitest';
import { loadRulesFromText } from '../../src/sigma/index.js';

const one = (text: string) => {
  const r = loadRulesFromText(text, 'r.yml');
  expect(r.rejected).toHaveLength(1);
  return r.rejected[0]!;
};

const head = 'title: t\nid: abc-1\nlogsource:\n    product: windows\n';

describe('rejections with positions', () => {
  it('unknown modifier points at the key', () => {
    const p = one(head + 'detection:\n    sel:\n        Image|endswith|foo: x\n    condition: sel\n');
    expect(p).toMatchObject({ file: 'r.yml', line: 7, column: 9, title: 't', id: 'abc-1' });
    expect(p.reason).toBe("unknown modifier 'foo'");
  });
  it('bad modifier combination', () => {
    const p = one(head + 'detection:\n    sel:\n        F|base64|re: x\n    condition: sel\n');
    expect(p).toMatchObject({ line: 7, column: 9 });
    expect(p.reason).toContain('only applicable to unmodified values');
  });
  it('missing title / detection / condition', () => {
    expect(one('logsource:\n    product: x\ndetection:\n    s:\n        a: b\n    condition: s\n')).toMatchObject({ line: 1, column: 1, reason: 'missing title' });
    expect(one('title: t\n')).toMatchObject({ line: 1, column: 1, reason: 'missing detection' });
    expect(one('title: t\ndetection:\n    s:\n        a: b\n')).toMatchObject({ line: 2, column: 1, reason: 'missing condition in detection' });
  });
  it('condition syntax error: column inside the condition string', () => {
    const p = one(head + 'detection:\n    sel:\n        a: b\n    condition: sel and (sel\n');
    expect(p).toMatchObject({ line: 8, column: 28 });
    expect(p.reason).toContain("expected ')'");
  });
  it('undefined search identifier, column of the name (quoted condition)', () => {
    const p = one(head + "detection:\n    sel:\n        a: b\n    condition: 'sel or other'\n");
    expect(p).toMatchObject({ line: 8, column: 24 });
    expect(p.reason).toBe("condition references undefined search identifier 'other'");
  });
  it('a condition nested thousands deep is rejected at the level past the bound, not a stack overflow', () => {
    const deep = (n: number) => head + `detection:\n    sel:\n        a: b\n    condition: ${'('.repeat(n)}sel${')'.repeat(n)}\n`;
    expect(loadRulesFromText(deep(128), 'r.yml').rejected).toEqual([]);
    const p = one(deep(5000));
    expect(p).toMatchObject({ line: 8, column: 16 + 128 });
    expect(p.reason).toBe("condition nests deeper than 128 levels of parentheses and 'not'");
    expect(one(head + `detection:\n    sel:\n        a: b\n    condition: ${'not '.repeat(5000)}sel\n`).reason).toMatch(/nests deeper than 128/);
  });
  it('pattern matching no identifier', () => {
    expect(one(head + 'detection:\n    sel:\n        a: b\n    condition: 1 of filter_*\n').reason).toContain('matches no search identifier');
  });
  it('regex the linear-time engine cannot compile points at the value', () => {
    const p = one(head + "detection:\n    sel:\n        F|re: '(?<=a)b'\n    condition: sel\n");
    expect(p).toMatchObject({ line: 7, column: 15 });
    expect(p.reason).toContain('re2js');
  });
  it('invalid CIDR points at the list element', () => {
    const p = one(head + "detection:\n    sel:\n        Ip|cidr:\n            - 10.0.0.0/8\n            - 10.0.0.1/8\n    condition: sel\n");
    expect(p).toMatchObject({ line: 9, column: 15 });
    expect(p.reason).toContain('Invalid CIDR expression');
  });
  it('numeric modifier on a string', () => {
    expect(one(head + "detection:\n    sel:\n        N|gt: '5'\n    condition: sel\n").reason).toContain('expects number');
  });
  it('YAML syntax error', () => {
    const p = one('title: t\ndetection: [unclosed\n');
    expect(p.reason).toMatch(/^YAML syntax error: /);
    expect(p.line).toBeGreaterThanOrEqual(2);
  });
  it('an unclosed quote is reported at the quote that opens it, not where the file ends', () => {
    for (const quote of ["'", '"']) {
      const text = head + `detection:\n    sel:\n        Image: ${quote}C:\\foo.exe\n    condition: sel\nlevel: high\nfalsepositives:\n    - none\n`;
      const p = one(text);
      expect(p.reason).toMatch(/^YAML syntax error: Missing closing .?quote/);
      expect(p, quote).toMatchObject({ line: 7, column: 16 });
    }
  });
  it('an unclosed quote after a closed one on another line', () => {
    const p = one(head + "detection:\n    sel:\n        a: 'ok'\n        b: 'open\n    condition: sel\n");
    expect(p).toMatchObject({ line: 8, column: 12 });
  });
  it('aggregation conditions are rejected with a specific reason', () => {
    expect(one(head + 'detection:\n    sel:\n        a: b\n    condition: sel | count() > 5\n').reason).toContain('aggregation');
  });
});

describe('multi-document files', () => {
  it('one bad document rejects only its rule; positions are per document', () => {
    const ok = 'title: ok\nlogsource:\n    product: w\ndetection:\n    s:\n        a: b\n    condition: s\n';
    const r = loadRulesFromText(`${ok}---\ntitle: bad\ndetection:\n    s:\n        a|nope: b\n    condition: s\n---\n${ok}`, 'm.yml');
    expect(r.rules.map((x) => x.title)).toEqual(['ok', 'ok']);
    expect(r.rules.map((x) => x.line)).toEqual([1, 15]);
    expect(r.rejected).toEqual([{ file: 'm.yml', line: 12, column: 9, reason: "unknown modifier 'nope'", title: 'bad' }]);
  });
  it('action: global merges into following documents, repeat re-emits the previous rule', () => {
    const text = [
      'action: global\ntitle: g\nlogsource:\n    product: windows\ndetection:\n    condition: sel',
      'logsource:\n    category: process_creation\ndetection:\n    sel:\n        Image: a.exe',
      'action: repeat\ndetection:\n    sel:\n        Image: b.exe',
    ].join('\n---\n');
    const r = loadRulesFromText(text, 'g.yml');
    expect(r.rejected).toEqual([]);
    expect(r.rules).toHaveLength(2);
    expect(r.rules[0]!.logsource).toEqual({ product: 'windows', category: 'process_creation' });
    const ev = (img: string) => ({ fields: { Image: img }, source: { file: '-', format: 'x' } });
    expect(r.rules[0]!.matches(ev('a.exe'))).toBe(true);
    expect(r.rules[1]!.matches(ev('b.exe'))).toBe(true);
    expect(r.rules[1]!.matches(ev('a.exe'))).toBe(false);
  });
  it('an incomplete correlation document is rejected at its key; filter documents are not supported', () => {
    const r = loadRulesFromText('title: c\ncorrelation:\n    type: event_count\n---\ntitle: f\nfilter:\n    rules: [x]\n', 'c.yml');
    expect(r.rejected.map((p) => [p.line, p.reason])).toEqual([
      [2, 'correlation needs rules (the ids or names of the rules it correlates)'],
      [6, 'filters are not supported by the event matcher yet'],
    ]);
    expect(r.correlations).toEqual([]);
  });
  it('a rule without logsource loads with a warning', () => {
    const r = loadRulesFromText('title: any\ndetection:\n    s:\n        a: b\n    condition: s\n', 'w.yml');
    expect(r.rules).toHaveLength(1);
    expect(r.warnings).toEqual([{ file: 'w.yml', line: 1, column: 1, reason: expect.stringContaining('no logsource'), title: 'any' }]);
  });

  it('an alias without its anchor is rejected at the alias, and the other rules of its file load', () => {
    const bad = head + 'detection:\n    sel:\n        Image: *nowhere\n    condition: sel\n';
    const good = 'title: fine\nlogsource:\n    product: windows\ndetection:\n    s:\n        a: b\n    condition: s\n';
    const r = loadRulesFromText(`${bad}---\n${good}`, 'r.yml');
    expect(r.rejected).toEqual([{ file: 'r.yml', line: 7, column: 16, title: 't', id: 'abc-1', reason: expect.stringMatching(/^YAML alias error: .*nowhere/) }]);
    expect(r.rules.map((rule) => rule.title)).toEqual(['fine']);
  });

  it('aliases that expand past the bound (a billion laughs) are rejected, not expanded', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [name, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd']]) levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    const p = one(head + `detection:\n${levels.map((l) => `    ${l}\n`).join('')}    sel:\n        Image: *e\n    condition: sel\n`);
    expect(p).toMatchObject({ file: 'r.yml', line: 7, column: 12 });
    expect(p.reason).toMatch(/^YAML alias error: /);
  });
});
