import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { loadPacks } from '../../src/alerts/pack.js';
import { createEventsTable } from '../../src/backends/sql-events.js';
import { sqlBackend } from '../../src/backends/sql.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import { RuleIndex } from '../../src/sigma/index.js';
import { readInputs } from '../../src/sources/open.js';
import { generateEvents } from '../seed/generate-qradar.js';

/**
 * `convert --to sql --combine seed` over the flat table of the seed generator's QRadar events:
 * the rows and their label must be the pack's first-match selection, computed here with the
 * native engine rule by rule in arm order.
 */
describe('sql --combine', () => {
  it('the seed pack as one CASE query labels each event like first-match selection', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sw-sqlc-')), 'export.json');
    writeFileSync(file, JSON.stringify({ events: generateEvents(3000, 77) }));
    const events: NormalizedEvent[] = [];
    for await (const b of readInputs([file], { onBad: () => {} })) events.push(...b.events);
    const [pack] = (await loadPacks(['seed'])).packs;
    const indexes = pack!.rules.map((r) => new RuleIndex([r]));
    const want = events.flatMap((e, i) => {
      const first = indexes.findIndex((x) => x.match(e).length > 0);
      return first < 0 ? [] : [`${i} ${pack!.labels.get(pack!.rules[first]!.id!) || 'NULL'}`];
    });
    expect(want.length).toBeGreaterThan(300);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await createEventsTable(db, events);
    const sql = sqlBackend.combine!(pack!, { pipeline: 'flat' });
    const got = (await db.runAndReadAll(`SELECT "_id", label FROM (${sql}) ORDER BY "_id"`)).getRows().map((r) => `${Number(r[0])} ${r[1] ?? 'NULL'}`);
    expect(got).toEqual(want);
    db.closeSync();
  });
});
