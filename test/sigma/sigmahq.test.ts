/** Loads the whole SigmaHQ corpus: at least 99% must load, every rejection must say why. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/sigma/index.js';
import { SHARED } from './helpers.js';

const DIRS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => `${SHARED}/sigmahq/${d}`);

describe('SigmaHQ corpus', () => {
  it('loads ≥ 99% of the rules with specific rejection reasons', { timeout: 15_000 }, async () => {
    for (const d of DIRS) if (!existsSync(d)) throw new Error(`${d} not found: the shared folder ${SHARED} is required for this test`);
    const r = await loadRules(DIRS);
    const total = r.rules.length + r.rejected.length;
    const byReason = new Map<string, number>();
    for (const p of r.rejected) {
      // Group by reason without the rule-specific quoted parts.
      const key = p.reason.replace(/'[^']*'/g, "'…'");
      byReason.set(key, (byReason.get(key) ?? 0) + 1);
    }
    console.log(
      `SigmaHQ: ${total} rule documents, ${r.rules.length} loaded, ${r.rejected.length} rejected, ${r.warnings.length} warnings`,
      Object.fromEntries(byReason),
    );
    expect(total).toBeGreaterThanOrEqual(3754);
    expect(r.rules.length / total).toBeGreaterThanOrEqual(0.99);
    for (const p of r.rejected) {
      expect(p.reason).not.toMatch(/unknown error|^error$/i);
      expect(p.line).toBeGreaterThan(0);
      expect(p.column).toBeGreaterThan(0);
    }
  });
});
