/**
 * The prefilter (conjunctive anchors) never changes a result: over the SigmaHQ Windows rules,
 * RuleIndex.match must equal evaluating every candidate rule, on the real EVTX corpus and on
 * generated Sysmon process creations (which hit many anchors without matching).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { sysmonProcessCreation } from '../../src/bench/generate.js';
import { RuleIndex, loadRules } from '../../src/sigma/index.js';
import { SHARED } from './helpers.js';

const RULES = `${SHARED}/sigmahq/rules/windows`;
const CORPUS = `${SHARED}/corpus/real/sbousseaden__EVTX-ATTACK-SAMPLES`;

function corpusEvents(): NormalizedEvent[] {
  const r = spawnSync(process.execPath, ['dist/bin/supplywatch.js', 'dump', CORPUS], { encoding: 'utf8', maxBuffer: 256 << 20 });
  expect(r.status).toBe(0);
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as NormalizedEvent);
}

describe('prefilter equivalence on SigmaHQ', () => {
  it('match() equals full evaluation of the candidates', { timeout: 60_000 }, async () => {
    for (const p of [RULES, CORPUS]) if (!existsSync(p)) throw new Error(`${p} not found: the shared folder ${SHARED} is required for this test`);
    const { rules } = await loadRules([RULES]);
    expect(rules.length).toBeGreaterThan(2000);
    const index = new RuleIndex(rules);
    const generated: NormalizedEvent[] = Array.from({ length: 3000 }, (_, i) => ({
      fields: sysmonProcessCreation(i * 7919) as NormalizedEvent['fields'],
      source: { file: 'generated', format: 'test' },
      category: 'process_creation',
      product: 'windows',
      service: 'sysmon',
    }));
    const events = [...corpusEvents(), ...generated];
    expect(events.length).toBeGreaterThan(4000);
    let matched = 0;
    for (const ev of events) {
      const full = index.candidates(ev).filter((r) => r.matches(ev));
      const fast = index.match(ev);
      expect(fast.map((r) => r.file + ':' + r.line)).toEqual(full.map((r) => r.file + ':' + r.line));
      matched += fast.length;
    }
    // The comparison is only meaningful when rules do fire.
    expect(matched).toBeGreaterThan(500);
  });
});
