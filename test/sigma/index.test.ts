/** RuleIndex: logsource filtering and the prefilter never change the result of a full scan. */
import { describe, expect, it } from 'vitest';
import { RuleIndex, loadRulesFromText } from '../../src/sigma/index.js';
import { event } from './helpers.js';

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
