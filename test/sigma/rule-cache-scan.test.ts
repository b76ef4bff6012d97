import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireShared, runCli } from '../helpers/cli.js';

/** End to end: scans through the rule cache (sigma/rule-cache.ts) and the automaton cache (sigma/automaton-cache.ts). */
describe('rule cache, scanning', () => {
  it('scans to the same alerts cold, warm (rules and automata from the cache, one thread or two), and after a rule file changed (SigmaHQ windows rules, EVTX samples)', async () => {
    const rules = mkdtempSync(join(tmpdir(), 'sw-cache-sigmahq-'));
    cpSync(requireShared('sigmahq/rules/windows'), rules, { recursive: true });
    const evtx = join(requireShared('corpus/evtx-attack-samples'), 'Execution');
    const env = { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'sw-cache-home-')) };
    const scan = async (...extra: string[]) => {
      const r = await runCli(['scan', '-r', rules, evtx, '-f', 'jsonl', '-q', ...extra], undefined, env);
      expect(r.stderr).toBe('');
      return r.stdout;
    };
    const cold = await scan('--no-cache');
    expect(cold.split('\n').length).toBeGreaterThan(20);
    expect(readdirSync(env.XDG_CACHE_HOME)).toEqual([]);
    expect(await scan()).toBe(cold);
    // The rules' cache file, the automata built (automaton-cache.ts), the command's code cache (runtime/cached-start.ts).
    expect(readdirSync(join(env.XDG_CACHE_HOME, 'supplywatch')).sort()).toEqual([expect.stringMatching(/^automata-/), expect.stringMatching(/^code-.*-scan\.bin$/), expect.stringMatching(/^rules-.*\.bin$/)]);
    expect(await scan()).toBe(cold);
    // A worker reads both back too (the whole folder: enough work for two threads).
    const all = ['scan', '-r', rules, requireShared('corpus/evtx-attack-samples'), '-f', 'jsonl'];
    const one = await runCli([...all, '--threads', '1', '--no-cache'], undefined, env);
    const two = await runCli([...all, '--threads', '2'], undefined, env);
    expect(two.stderr).toMatch(/^threads: 2$/m);
    expect(two.stdout).toBe(one.stdout);

    // A rule that fires on these samples now fires on nothing.
    const firing = JSON.parse(cold.split('\n')[0]!) as { rule: { id: string; file: string } };
    writeFileSync(firing.rule.file, readFileSync(firing.rule.file, 'utf8').replace(/^( +)product: windows$/m, '$1product: nowhere'));
    const changedCold = await scan('--no-cache');
    expect(changedCold).not.toBe(cold);
    expect(changedCold).not.toContain(firing.rule.id);
    expect(await scan()).toBe(changedCold);
  }, 120_000);

  it('scans as without a cache where the cache folder cannot be made (a file in its place)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sw-cache-home-'));
    writeFileSync(join(home, 'supplywatch'), '');
    const sample = join(requireShared('corpus/evtx-attack-samples'), 'Execution');
    const rules = requireShared('sigmahq/rules/windows/process_creation');
    const plain = await runCli(['scan', '-r', rules, sample, '-f', 'jsonl', '--no-cache']);
    const blocked = await runCli(['scan', '-r', rules, sample, '-f', 'jsonl'], undefined, { XDG_CACHE_HOME: home });
    expect(blocked.stderr).not.toMatch(/fatal/);
    expect(blocked.status).toBe(plain.status);
    expect(blocked.stdout).toBe(plain.stdout);
    expect(plain.stdout.split('\n').length).toBeGreaterThan(5);
  }, 60_000);
});
