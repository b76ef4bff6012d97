import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadPacks } from '../../src/alerts/pack.js';
import { BACKENDS, ConversionError } from '../../src/backends/index.js';
import type { SigmaRule } from '../../src/sigma/rule.js';
import { runCli } from '../helpers/cli.js';

const NEEDS_ENRICHMENT = ['Install Lifecycle Script Spawned an Interpreter', 'Install Lifecycle Script Resolved a Name'];

describe('the hunting pack', () => {
  it('loads; every rule is low or informational and names its false positives', async () => {
    const { packs, rejected } = await loadPacks(['hunting']);
    expect(rejected).toEqual([]);
    const rules = packs[0]!.rules;
    expect(rules.length).toBeGreaterThanOrEqual(7);
    for (const rule of rules) {
      expect(['low', 'informational'], rule.title).toContain(rule.level);
      const doc = parse(readFileSync(rule.file!, 'utf8')) as { falsepositives?: string[] };
      expect(doc.falsepositives?.length ?? 0, rule.title).toBeGreaterThan(0);
    }
    const lint = await runCli(['rules', 'lint', 'hunting']);
    expect(lint.status).toBe(0);
    expect(lint.stderr).toMatch(/ 0 rejected/);
  });

  it('converts to every target but where a rule needs enrichment (or ES|QL cannot take a regex flag), which is said', async () => {
    const { packs } = await loadPacks(['hunting']);
    for (const [name, backend] of BACKENDS) {
      for (const rule of packs[0]!.rules as SigmaRule[]) {
        let error = '';
        try {
          expect(backend.rule(rule, { pipeline: backend.pipelines[0]! }).length).toBeGreaterThan(20);
        } catch (e) {
          if (!(e instanceof ConversionError)) throw e;
          error = e.message;
        }
        if (NEEDS_ENRICHMENT.includes(rule.title)) expect(error, `${name} ${rule.title}`).toMatch(/needs InstallPhase/);
        else if (name === 'esql' && /Started|by Command/.test(rule.title)) expect(error, `${name} ${rule.title}`).toMatch(/regular expression with flags/);
        else expect(error, `${name} ${rule.title}`).toBe('');
      }
    }
  });

  it('is scored by eval on the labelled corpus: broad (most malicious files), and noisy on benign installs as a hunt is', async () => {
    const r = await runCli(['eval', '-r', 'hunting', 'eval-corpus', '-f', 'json']);
    const { scores } = JSON.parse(r.stdout) as { scores: Array<{ pack: string; maliciousDetected: number; maliciousTotal: number; benignAlerts: number; rules: Array<{ title: string; maliciousFiles: number }> }> };
    const hunting = scores.find((s) => s.pack === 'hunting')!;
    // The corpus grows; the hunt must keep leading to at least three malicious files in four.
    expect(hunting.maliciousTotal).toBeGreaterThanOrEqual(12);
    expect(hunting.maliciousDetected / hunting.maliciousTotal).toBeGreaterThanOrEqual(0.75);
    expect(hunting.benignAlerts).toBeGreaterThan(0);
    // Sha1-Hulud registered its runner as SHA1HULUD: the runner hunt finds it.
    expect(hunting.rules.find((x) => x.title === 'Self-Hosted CI Runner Registered')?.maliciousFiles).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
