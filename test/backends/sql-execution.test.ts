import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { loadPacks } from '../../src/alerts/pack.js';
import { ConversionError } from '../../src/backends/ir.js';
import { createEventsTable } from '../../src/backends/sql-events.js';
import { sqlBackend } from '../../src/backends/sql.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import { RuleIndex } from '../../src/sigma/index.js';
import type { SigmaRule } from '../../src/sigma/rule.js';
import { readInputs } from '../../src/sources/open.js';
import { requireShared } from '../helpers/cli.js';
import { ruleFieldSets } from './rule-events.js';

/**
 * Proof by execution for the `sql` target: every rule of the seed and hardened packs and of SigmaHQ's
 * windows/process_creation, converted to DuckDB SQL and run over the flat events table, must
 * select exactly the events the native engine (RuleIndex: logsource + detection) matches.
 * Events: the real OTRF corpus plus, per rule, generated events built from the rule's own
 * values (as written, upper-cased, with the wildcards filled in), so most rules match something.
 */
function generated(rule: SigmaRule, start: number): NormalizedEvent[] {
  const ls = { category: rule.logsource.category ?? 'process_creation', product: rule.logsource.product ?? 'windows', service: rule.logsource.service };
  return ruleFieldSets(rule).map((fields, i) => ({ ...ls, time: start + i, fields: { ...fields }, source: { file: `gen:${rule.id}`, format: 'generated' } }));
}

async function corpusEvents(): Promise<NormalizedEvent[]> {
  const out: NormalizedEvent[] = [];
  for await (const b of readInputs([requireShared('corpus/real/OTRF__Security-Datasets/')], { onBad: () => {} })) out.push(...b.events);
  return out;
}

describe('sql target: converted queries select what the native engine matches', () => {
  it('seed and hardened packs and SigmaHQ windows/process_creation, rule by rule', async () => {
    const { packs } = await loadPacks(['seed', 'hardened', requireShared('sigmahq/rules/windows/process_creation/')]);
    expect(packs.map((p) => p.name).slice(0, 2)).toEqual(['seed', 'hardened']);
    const rules = packs.flatMap((p) => p.rules) as SigmaRule[];
    expect(rules.length).toBeGreaterThan(1000);
    const corpus = await corpusEvents();
    expect(corpus.length).toBeGreaterThan(5000);
    const events = [...corpus, ...rules.flatMap((r, i) => generated(r, 1_700_000_000_000 + i * 100))];
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    const { shadowed } = await createEventsTable(db, events);

    let compared = 0;
    let withMatches = 0;
    const notConverted: string[] = [];
    const mismatches: string[] = [];
    for (const rule of rules) {
      let sql: string;
      try {
        sql = sqlBackend.rule(rule, { pipeline: 'flat' });
      } catch (e) {
        if (!(e instanceof ConversionError)) throw e;
        notConverted.push(`${rule.title}: ${e.message}`);
        continue;
      }
      const got = (await db.runAndReadAll(sql.replace('SELECT *', 'SELECT "_id"'))).getRows().map((r) => Number(r[0]));
      const index = new RuleIndex([rule]);
      const want = events.flatMap((e, i) => (index.match(e).length ? [i] : []));
      compared += 1;
      if (want.length) withMatches += 1;
      // A field named like another but for case shares its column (DuckDB); such rules are reported, not hidden.
      if (JSON.stringify(got.sort((a, b) => a - b)) !== JSON.stringify(want))
        mismatches.push(`${rule.file} ${rule.title}: sql ${got.length} vs native ${want.length}${shadowed.length ? ` (case-shadowed columns: ${shadowed.join(', ')})` : ''}`);
    }
    db.closeSync();
    expect(mismatches).toEqual([]);
    expect(notConverted).toEqual([]);
    expect(compared).toBe(rules.length);
    // Most rules must actually select something, or equality would prove little (regex-only rules can only hit the corpus).
    expect(withMatches).toBeGreaterThan(rules.length * 0.95);
  }, 600_000);
});
