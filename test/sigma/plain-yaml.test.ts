import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireShared } from '../helpers/cli.js';
import { parsePlainRules, parseRuleTextWithPositions, type LoadResult } from '../../src/sigma/yaml-loader.js';

/**
 * The fast reader (js-yaml events, no positions) must give exactly what the reference path
 * (yaml's Document model) gives, whenever it reads a file at all.
 */
const view = (r: LoadResult) => ({
  rules: r.rules.map((rule) => ({ raw: rule.raw, file: rule.file, line: rule.line, title: rule.title, level: rule.level })),
  correlations: r.correlations.length,
  rejected: r.rejected,
  warnings: r.warnings,
});

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []);
}

const rule = (detection: string, head = '') =>
  `${head}title: t\nlogsource:\n  category: process_creation\ndetection:\n${detection}\n  condition: sel\n`;

describe('fast rule reading agrees with the positions path', () => {
  it('on every SigmaHQ rule (needs ../shared/sigmahq), and reads nearly all of them itself', { timeout: 60_000 }, () => {
    const root = requireShared('sigmahq');
    const files = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].flatMap((d) => yamlFiles(join(root, d)));
    expect(files.length).toBe(3754);
    let fast = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const plain = parsePlainRules(text, file);
      if (!plain) continue;
      fast++;
      expect(view(plain), file).toEqual(view(parseRuleTextWithPositions(text, file)));
    }
    expect(fast).toBeGreaterThan(files.length * 0.99);
  });

  it('on the rule packs of this repository, most of which it reads itself', () => {
    const files = yamlFiles('rules').filter((f) => !f.endsWith('pack.yml'));
    let fast = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const plain = parsePlainRules(text, file);
      if (!plain) continue;
      fast++;
      expect(view(plain), file).toEqual(view(parseRuleTextWithPositions(text, file)));
    }
    // Correlations and rules that draw a warning (no logsource) take the positions path.
    expect(fast).toBeGreaterThan(files.length / 2);
  });

  it.each([
    ['numbers: decimal ones are numbers, the rest of YAML 1.2 core numbers stay text',
      rule('  sel:\n    a: [1, -2, +3, 4.5, 6., 7e3, -8.5E-2, 0x1F, 0o17, .5, .inf, -.Inf, .nan, 1_000, 012, 0]')],
    ['null and booleans, in every spelling the core schema has, and look-alikes',
      rule('  sel:\n    a: [~, null, Null, NULL, true, True, TRUE, false, False, FALSE, yes, No, on, nULL, tRUE, ""]\n    b:')],
    ['block and flow scalars',
      rule('  sel:\n    a: |\n      one\n        two\n    b: >-\n      folded\n      text\n\n      para\n    c: "esc\\t\\u00e9\\x41 \\"q\\""\n    d: \'it\'\'s\'\n    e: plain # comment\n    f: [a, "b c", 1]\n  other: {x: 1, "y": [a, b]}')],
    ['comments and a document marker before the content (the rule line)',
      rule('  sel:\n    a: 1', '# c1\n\n---\n# c2\n')],
    ['CRLF line ends', rule('  sel:\n    a: 1').replace(/\n/g, '\r\n')],
    ['several documents, each with its own line',
      `${rule('  sel:\n    a: 1')}---\n# x\n\n${rule('  sel:\n    b: 2')}...\n---\n${rule('  sel:\n    c: 3')}`],
    ['an empty file', ''],
    ['only comments', '# nothing\n'],
  ])('%s', (_, text) => {
    const reference = parseRuleTextWithPositions(text, 'x.yml');
    const plain = parsePlainRules(text, 'x.yml');
    expect(plain).toBeDefined();
    expect(view(plain!)).toEqual(view(reference));
  });

  it('leaves to the positions path whatever it has to report or does not read', () => {
    const cases = [
      rule('  sel:\n    a: [unclosed'),                         // syntax error
      rule('  sel:\n    a: 1\n    a: 2'),                       // duplicate key
      rule('  sel: &s\n    a: 1\n  other: *s'),                  // anchor and alias
      rule('  sel:\n    a: !!str 1'),                           // explicit tag
      `%YAML 1.1\n---\n${rule('  sel:\n    a: 1')}`,            // directive
      rule('  sel:\n    a|nosuchmodifier: 1'),                  // rejected rule
      'title: t\ndetection:\n  sel:\n    a: 1\n  condition: sel\n', // warning: no logsource
      `action: global\n${rule('  sel:\n    a: 1')}`,            // action
      'title: c\ncorrelation:\n  type: event_count\n  rules: [x]\n', // correlation
      rule('  sel:\r    a: 1'),                                 // lone CR
      '~\n',                                                   // not a mapping
      `${rule('  sel:\n    a: 1')}---\n`,                       // a document without content
      rule('  sel:\n    1: a'),                                // keys that are not text:
      rule('  sel:\n    ~: a'),                                // yaml makes this "", js-yaml "null"
      rule('  sel:\n    __proto__: a'),
    ];
    for (const text of cases) expect(parsePlainRules(text, 'x.yml'), text).toBeUndefined();
  });

  it('reads a plain rule itself, at the line of its first key', () => {
    const plain = parsePlainRules(`# header\n\n${rule('  sel:\n    a: 0x10')}`, 'x.yml');
    expect(plain?.rules).toHaveLength(1);
    expect(plain!.rules[0]!.line).toBe(3);
    expect((plain!.rules[0]!.raw.detection as { sel: { a: unknown } }).sel.a).toBe('0x10');
  });
});
