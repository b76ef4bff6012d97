import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPacks } from '../../src/alerts/pack.js';
import { alertingRules, loadPlaybooks, PLAYBOOK_SECTIONS } from '../../src/alerts/playbooks.js';

const temp = mkdtempSync(join(tmpdir(), 'sw-playbooks-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('built-in playbooks', () => {
  const { byRule, problems } = loadPlaybooks();

  it('load without problems', () => {
    expect(problems).toEqual([]);
    expect(byRule.size).toBeGreaterThan(0);
  });

  // Reads the packs as they are: a rule added to a pack without its playbook fails here.
  it.each(['seed', 'hardened', 'hunting'])('every rule of the %s pack that can alert has a playbook with every section', async (name) => {
    const { packs, rejected } = await loadPacks([name]);
    expect(rejected).toEqual([]);
    const rules = alertingRules(packs[0]!);
    expect(rules.length).toBeGreaterThan(3);
    const missing = rules.filter((r) => !byRule.has(r.id ?? '')).map((r) => `${r.file}: ${r.title}`);
    expect(missing).toEqual([]);
    for (const rule of rules) {
      const playbook = byRule.get(rule.id!)!;
      for (const section of PLAYBOOK_SECTIONS) expect(playbook.steps[section].length, `${rule.title} ${section}`).toBeGreaterThan(0);
    }
  });

  it('tell what to purge, review and rotate after an install compromise', () => {
    const playbook = byRule.get('924bb489-6e8d-4410-8353-3ad2610975c1')!;
    const eradication = playbook.steps.eradication.join('\n');
    for (const place of ['~/.npm/_cacache', 'pip cache', 'gem', 'cargo', '.github/workflows/', '.npmrc', '~/.ssh', '~/.bashrc']) expect(eradication).toContain(place);
    const recovery = playbook.steps.recovery.join('\n');
    for (const token of ['npm token', 'GitHub', 'cloud credentials', 'secret']) expect(recovery).toContain(token);
    // The rule's own steps come first, then the folder's common ones.
    expect(playbook.steps.triage[0]).toMatch(/ancestry/);
  });

  it('the correlation-only base rules need none (they never alert)', async () => {
    const { packs } = await loadPacks(['hardened']);
    const ids = alertingRules(packs[0]!).map((r) => r.id);
    expect(ids).not.toContain('1d622ec3-74fe-4f45-94bb-554601b3bc2a');
    expect(ids).toContain('6081066f-c55e-4035-a37e-ead595553d99');
  });
});

describe('playbook validation', () => {
  function folder(files: Record<string, string>): string {
    const dir = mkdtempSync(join(temp, 'rules-'));
    mkdirSync(join(dir, 'playbooks'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'playbooks', name), text);
    return dir;
  }

  it('reports each problem with file:line:column', () => {
    const dir = folder({
      'abc.yml': 'rule: abc\nsummary: s\ntriage:\n  - ok\n  - 42\ncontainment: not a list\nremedy: [x]\n',
      'def.yml': 'rule: other\nsummary: s\ntriage: [q]\n',
      'ghi.yml': 'rule: ghi\ntriage: [q]\n',
      'bad.yml': 'rule: bad\nsummary: s\nrule: bad\n',
    });
    const { byRule, problems } = loadPlaybooks(dir);
    const at = (file: string) => problems.filter((p) => p.file.endsWith(file)).map((p) => `${p.line}:${p.column} ${p.reason}`);
    expect(at('abc.yml')).toEqual([
      "7:1 unknown key 'remedy' (expected rule, summary, triage, containment, eradication, recovery, collect)",
      '5:5 each step of `triage` must be a non-empty string',
      '6:14 `containment` must be a non-empty list of steps',
    ]);
    expect(at('def.yml')).toEqual(["1:7 `rule` is 'other' but the file is named 'def': name the file by the rule id"]);
    expect(at('ghi.yml')).toEqual(['1:1 `summary` must be a non-empty string']);
    expect(at('bad.yml')).toHaveLength(1);
    expect(at('bad.yml')[0]).toMatch(/^3:1 .*unique/);
    expect([...byRule.keys()]).toEqual([]);
  });

  it('appends common.yml steps after each rule own steps', () => {
    const dir = folder({ 'common.yml': 'triage: [common question]\nrecovery: [rotate]\n', 'r1.yml': 'rule: r1\nsummary: s\ntriage: [own question]\n' });
    const { byRule, problems } = loadPlaybooks(dir);
    expect(problems).toEqual([]);
    expect(byRule.get('r1')!.steps.triage).toEqual(['own question', 'common question']);
    expect(byRule.get('r1')!.steps.recovery).toEqual(['rotate']);
    expect(byRule.get('r1')!.steps.containment).toEqual([]);
  });
});
