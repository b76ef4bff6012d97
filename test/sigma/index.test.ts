/** RuleIndex: logsource filtering and the prefilter never change the result of a full scan. */
import { describe, expect, it, onTestFinished } from 'vitest';
import type { LogSource } from '../../src/events/event.js';
import { RuleIndex, loadRulesFromText } from '../../src/sigma/index.js';
import { event } from './helpers.js';
import { prng } from '../helpers/prng.js';

const rule = (title: string, logsource: string, detection: string) =>
  `title: ${title}\nlogsource:\n${logsource.replace(/^/gm, '    ')}\ndetection:\n${detection.replace(/^/gm, '    ')}\n`;

const text = [
  rule('proc', 'category: process_creation\nproduct: windows', "sel:\n    Image|endswith: '\\cmd.exe'\ncondition: sel"),
  rule('proc-sysmon', 'category: Process_Creation\nproduct: windows\nservice: sysmon', "sel:\n    CommandLine|contains: whoami\ncondition: sel"),
  rule('linux', 'category: process_creation\nproduct: linux', "sel:\n    Image|endswith: '/bash'\ncondition: sel"),
  rule('any-windows', 'product: windows', "sel:\n    CommandLine|re: 'who(am)?i'\ncondition: sel"),
].join('---\n');

describe('RuleIndex', () => {
  const { rules } = loadRulesFromText(text, 'idx.yml');
  const index = new RuleIndex(rules);
  const titles = (rs: readonly { title: string }[]) => rs.map((r) => r.title);

  it('candidates: rule attributes must equal the event (case-insensitive); unset in rule = any', () => {
    expect(titles(index.candidates({ category: 'process_creation', product: 'Windows' }))).toEqual(['proc', 'any-windows']);
    expect(titles(index.candidates({ category: 'process_creation', product: 'windows', service: 'sysmon' }))).toEqual([
      'proc', 'proc-sysmon', 'any-windows',
    ]);
    expect(titles(index.candidates({ product: 'linux' }))).toEqual([]);
    expect(index.candidates({ product: 'windows' })).toBe(index.candidates({ product: 'WINDOWS' }));
  });

  it('match returns matching rules in index order', () => {
    const ev = event(
      { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami' },
      { category: 'process_creation', product: 'windows', service: 'sysmon' },
    );
    expect(titles(index.match(ev))).toEqual(['proc', 'proc-sysmon', 'any-windows']);
    expect(titles(index.match({ ...ev, service: undefined }))).toEqual(['proc', 'any-windows']);
  });

  it('agrees with evaluating every candidate rule', () => {
    const samples = [
      { Image: 'C:\\x\\CMD.EXE', CommandLine: 'x' },
      { Image: 'C:\\x\\notcmd.exe', CommandLine: 'WHOAMI /all' },
      { Image: ['a\\b.exe', 'c\\cmd.exe'] },
      { CommandLine: 'whoi' },
      {},
    ];
    for (const fields of samples) {
      const ev = event(fields, { category: 'process_creation', product: 'windows', service: 'sysmon' });
      const full = index.candidates(ev).filter((r) => r.matches(ev));
      expect(titles(index.match(ev))).toEqual(titles(full));
    }
  });
});

/**
 * Keywords (values without a field) are prefiltered by their needles over every string value of
 * the event, in buckets of any size: the index must still give exactly what evaluating every
 * candidate gives, whatever the value's case, nesting, length, or chars that case folding
 * cannot lower one by one.
 */
describe('RuleIndex: keyword prefilter', () => {
  const keywordRules = [
    rule('kw-plain', 'product: windows', "keywords:\n    - 'sekurlsa::'\n    - 'Kiwi Legit'\n    - 'eo.oe.kiwi'\nfilter:\n    EventID: 15\ncondition: keywords and not filter"),
    rule('kw-wild', 'product: windows', "keywords:\n    - 'mimi*.dll'\ncondition: keywords"),
    rule('kw-cased', 'product: windows', "keywords:\n    '|cased':\n        - 'PrivEsc'\ncondition: keywords"),
    rule('kw-re', 'product: windows', "keywords:\n    '|re': 'lsa(dump|srv)::[a-z]+'\ncondition: keywords"),
    rule('kw-all', 'product: windows', "keywords:\n    '|all':\n        - 'token'\n        - 'elevate'\ncondition: keywords"),
    rule('kw-number', 'product: windows', 'keywords:\n    - 4242\ncondition: keywords'),
    rule('kw-istanbul', 'product: windows', "keywords:\n    - 'i̇stanbul'\ncondition: keywords"),
    rule('kw-or-field', 'product: windows', "keywords:\n    - 'rubeus'\nsel:\n    Image|endswith: '\\whoami.exe'\ncondition: keywords or sel"),
  ];
  const { small, large } = smallAndLarge(keywordRules, 'category: process_creation\nproduct: windows');
  const titles = (rs: readonly { title: string }[]) => rs.map((r) => r.title);
  const pieces = [
    'SEKURLSA::logonpasswords', 'kiwi legit printer', 'x eo.oe.kiwi y', 'C:\\mimilib.dll', 'MIMIDRV.DLL', 'PrivEsc', 'privesc',
    'LSADUMP::sam', 'lsasrv::x', 'token::elevate', 'ELEVATE the TOKEN', 'event 4242 seen', '4242', 'İSTANBUL', 'İstanbul', 'istanbul',
    'Rubeus.exe asktgt', 'C:\\Windows\\System32\\whoami.exe', 'K\u212Aiwi Legit', 'needle3x', 'Kiwi', 'sekurlsa:', 'plain text',
    'a'.repeat(1100) + 'sekurlsa::' + 'b'.repeat(10),
  ];
  const random = prng(20261207);
  const pick = () => pieces[Math.floor(random() * pieces.length)]!;
  const samples: Record<string, unknown>[] = [];
  for (let i = 0; i < 600; i++) {
    const fields: Record<string, unknown> = { EventID: random() < 0.2 ? 15 : 1 };
    const n = 1 + Math.floor(random() * 4);
    for (let k = 0; k < n; k++) {
      const shape = random();
      const value = shape < 0.5 ? pick() : shape < 0.7 ? [pick(), 7, pick()] : shape < 0.9 ? { inner: { deeper: pick() } } : 4242;
      fields[['CommandLine', 'Image', 'Data', 'Payload'][k]!] = value;
    }
    samples.push(fields);
  }
  // Each sample twice in a row: the second scan of a value goes through the needle memo. First,
  // a value remembered while another value of its event held one of its needles, then met alone.
  const shared = { CommandLine: 'token', Data: 'token elevate' };
  const events = [shared, shared, { Data: 'token elevate' }, ...samples.flatMap((fields) => [fields, fields])];

  for (const [name, index] of [['small bucket', small], ['large bucket', large]] as const) {
    it(`agrees with evaluating every candidate (${name})`, () => {
      let matched = 0;
      for (const fields of events) {
        const ev = event(fields, { category: 'process_creation', product: 'windows' });
        const full = index.candidates(ev).filter((r) => r.matches(ev));
        expect(titles(index.match(ev))).toEqual(titles(full));
        matched += full.filter((r) => r.title.startsWith('kw-')).length;
      }
      expect(matched).toBeGreaterThan(300);
    });
  }

  it('skips a keyword rule whose keywords are in no value', () => {
    const tests = countTests(small, { product: 'windows' }, 'kw-plain');
    small.match(event({ CommandLine: 'nothing to see', Nested: { a: ['still nothing'] } }, { product: 'windows' }));
    expect(tests.count).toBe(0);
    small.match(event({ Nested: { a: ['x', 'SeKurLSA::pth'] } }, { product: 'windows' }));
    expect(tests.count).toBe(1);
  });
});

/**
 * EventIDs are exact keys (prefilter.ts): a rule naming its EventIDs is reached only by events of
 * those IDs, in small buckets too (a Map lookup, no automaton). Numbers in the rule match the
 * number and its string form in the event, a quoted ID the same, and nothing else ('04728',
 * 4728.5; a list by any of its elements); the index must give what evaluating every candidate
 * gives.
 */
describe('RuleIndex: EventID keys', () => {
  const idRules = [
    rule('id-number', 'product: windows\nservice: security', 'sel:\n    EventID: 4728\ncondition: sel'),
    rule('id-string', 'product: windows\nservice: security', "sel:\n    EventID: '4729'\ncondition: sel"),
    rule('id-list', 'product: windows\nservice: security', "sel:\n    EventID:\n        - 4732\n        - '4733'\ncondition: sel"),
    rule('id-and-field', 'product: windows\nservice: security', "sel:\n    EventID: 4688\n    NewProcessName|endswith: '\\cmd.exe'\ncondition: sel"),
    rule('id-or-keyword', 'product: windows\nservice: security', "sel:\n    EventID: 1102\nkw:\n    - 'cleared'\ncondition: sel or kw"),
    rule('id-not', 'product: windows\nservice: security', 'sel:\n    EventID: 4624\nfilter:\n    LogonType: 3\ncondition: sel and not filter'),
    rule('id-gt', 'product: windows\nservice: security', 'sel:\n    EventID|gt: 5000\ncondition: sel'),
  ];
  const { small, large } = smallAndLarge(idRules, 'product: windows\nservice: security');
  const titles = (rs: readonly { title: string }[]) => rs.map((r) => r.title);
  const ids: unknown[] = [4728, '4728', '04728', 4728.5, 4729, '4729', 4732, '4732', 4733, '4733', 4688, '4688', 1102, 4624, '4624', 5001, '5001', [4728], ['4729', 1], null, true, 'x'];
  const random = prng(4728);
  const samples: Record<string, unknown>[] = [];
  for (let i = 0; i < 800; i++) {
    const fields: Record<string, unknown> = {};
    if (random() < 0.95) fields.EventID = ids[Math.floor(random() * ids.length)];
    if (random() < 0.5) fields.NewProcessName = random() < 0.5 ? 'C:\\Windows\\System32\\cmd.exe' : 'C:\\x\\notepad.exe';
    if (random() < 0.3) fields.LogonType = random() < 0.5 ? 3 : '2';
    if (random() < 0.2) fields.Message = 'The audit log was cleared.';
    samples.push(fields);
  }

  for (const [name, index] of [['small bucket', small], ['large bucket', large]] as const) {
    it(`agrees with evaluating every candidate (${name})`, () => {
      let matched = 0;
      for (const fields of samples) {
        const ev = event(fields, { product: 'windows', service: 'security' });
        const full = index.candidates(ev).filter((r) => r.matches(ev));
        expect(titles(index.match(ev)), JSON.stringify(fields)).toEqual(titles(full));
        matched += full.length;
      }
      expect(matched).toBeGreaterThan(300);
    });
  }

  it('does not test a rule whose EventIDs the event does not have, in a small bucket', () => {
    const tests = countTests(small, { product: 'windows', service: 'security' }, 'id-number');
    small.match(event({ EventID: 4624 }, { product: 'windows', service: 'security' }));
    expect(tests.count).toBe(0);
    expect(titles(small.match(event({ EventID: '4728' }, { product: 'windows', service: 'security' })))).toEqual(['id-number']);
    expect(tests.count).toBe(1);
  });
});

/**
 * The rules alone (a bucket under the prefilter's threshold), and beside 40 field rules of
 * `logsource` (a bucket that prefilters everything).
 */
function smallAndLarge(rules: string[], logsource: string): { small: RuleIndex; large: RuleIndex } {
  const fillers = Array.from({ length: 40 }, (_, i) => rule(`filler-${i}`, logsource, `sel:\n    CommandLine|contains: 'needle${i}x'\ncondition: sel`));
  return {
    small: new RuleIndex(loadRulesFromText(rules.join('---\n'), 'small.yml').rules),
    large: new RuleIndex(loadRulesFromText([...rules, ...fillers].join('---\n'), 'large.yml').rules),
  };
}

/** Counts the tests of the candidate rule of that title, until the end of the current test. */
function countTests(index: RuleIndex, logsource: LogSource, title: string): { count: number } {
  const rule = index.candidates(logsource).find((r) => r.title === title)!;
  const tests = { count: 0 };
  const test = rule.test.bind(rule);
  rule.test = (ctx) => {
    tests.count += 1;
    return test(ctx);
  };
  onTestFinished(() => {
    rule.test = test;
  });
  return tests;
}
