import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { loadPacks } from '../../src/alerts/pack.js';
import { parseAql } from '../../src/aql/parse.js';
import { loadEvents } from '../../src/aql/run.js';
import { translate } from '../../src/aql/translate.js';
import { aqlBackend } from '../../src/backends/aql.js';
import { ConversionError } from '../../src/backends/ir.js';
import { QRADAR_FIELDS } from '../../src/backends/pipelines/qradar.js';
import type { FieldValue, NormalizedEvent } from '../../src/events/event.js';
import { RuleIndex } from '../../src/sigma/index.js';
import type { DetNode } from '../../src/sigma/detection.js';
import type { SigmaRule } from '../../src/sigma/rule.js';
import { readInputs } from '../../src/sources/open.js';
import { requireShared } from '../helpers/cli.js';
import { ruleFieldSets } from '../backends/rule-events.js';
import { generateEvents, NOW, type QRadarEvent } from '../seed/generate-qradar.js';

/**
 * Proof by execution for the `aql` target: each rule of the seed pack and of SigmaHQ
 * windows/process_creation, converted to AQL (pipeline qradar), run by the offline AQL runner
 * over a QRadar export, selects exactly the events the native engine matches on the same export
 * (read by the qradar-json reader). The export holds the seed generator's edge cases plus, per
 * rule, rows built from the rule's own values under the QRadar property names.
 * Every row is from a Windows log source (the pipeline does not turn `product: windows` into a
 * condition), and carries a payload (all its strings), which is what AQL keyword searches read.
 */
const QID_BY_CATEGORY: Record<string, string> = {
  process_creation: 'Process Create',
  network_connection: 'Network Connection Detected',
  file_event: 'File Created',
};

function row(fields: Record<string, FieldValue>, time: number, qid: string | undefined): QRadarEvent {
  const out: QRadarEvent = { starttime: time, 'LOGSOURCETYPENAME(devicetype)': 'Microsoft Windows Security Event Log' };
  if (qid) out.qidname = qid;
  for (const [k, v] of Object.entries(fields)) {
    const to = QRADAR_FIELDS[k] ?? k;
    out[to] = typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as string | number | null);
    if (typeof v === 'boolean') out[to] = String(v);
  }
  return withPayload(out);
}

function withPayload(e: QRadarEvent): QRadarEvent {
  e.payload = Object.entries(e).flatMap(([k, v]) => (k !== 'payload' && typeof v === 'string' ? [v] : [])).join('\n');
  return e;
}

/** Fields a rule tests with `field: null`. */
function nullTested(rule: SigmaRule): string[] {
  const out = new Set<string>();
  const walk = (n: DetNode): void => {
    if (n.op === 'item') {
      if (n.field !== null && n.tests.some((t) => t.kind === 'null')) out.add(n.field);
    } else if (n.op === 'not') walk(n.child);
    else n.children.forEach(walk);
  };
  rule.detections.forEach(walk);
  return [...out];
}

describe('aql target: converted queries run offline select what the native engine matches', () => {
  it('seed pack and SigmaHQ windows/process_creation, rule by rule', async () => {
    const { packs } = await loadPacks(['seed', requireShared('sigmahq/rules/windows/process_creation/')]);
    const rules = packs.flatMap((p) => p.rules) as SigmaRule[];
    expect(rules.length).toBeGreaterThan(1000);
    const rows: QRadarEvent[] = generateEvents(3000, 5).map((e) => withPayload({ ...e, 'LOGSOURCETYPENAME(devicetype)': 'Microsoft Windows Sysmon' }));
    rules.forEach((r, i) => {
      const qid = QID_BY_CATEGORY[r.logsource.category ?? ''];
      ruleFieldSets(r).forEach((f, j) => rows.push(row(f, NOW - i * 100 - j, qid)));
    });
    const file = join(mkdtempSync(join(tmpdir(), 'sw-aqlx-')), 'export.json');
    writeFileSync(file, JSON.stringify({ events: rows }));

    const events: NormalizedEvent[] = [];
    const bad: unknown[] = [];
    for await (const b of readInputs([file], { onBad: (x) => bad.push(x) })) events.push(...b.events);
    expect(bad).toEqual([]);
    expect(events.length).toBe(rows.length);

    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    const { columns } = await loadEvents(db, [file], undefined, { onBad: (x) => bad.push(x) });

    let withMatches = 0;
    let withNull = 0;
    const notConverted: string[] = [];
    const mismatches: string[] = [];
    for (const rule of rules) {
      let aql: string;
      try {
        aql = aqlBackend.rule(rule, { pipeline: 'qradar' });
      } catch (e) {
        if (!(e instanceof ConversionError)) throw e;
        notConverted.push(`${rule.title}: ${e.message}`);
        continue;
      }
      const { sql } = translate(parseAql(aql), { columns }, NOW, aql, { selectOrd: true });
      const got = (await db.runAndReadAll(sql)).getRows().map((r) => Number(r[0])).sort((a, b) => a - b);
      const index = new RuleIndex([rule]);
      // QRadar has no JSON null: a NULL property is absent. The pipeline renders `field: null` as
      // IS NULL (what such rules mean on QRadar), so for those fields the native side is asked
      // with "absent = null" made explicit; every other rule is compared on the events as read.
      const nullFields = nullTested(rule);
      const asNative = (e: NormalizedEvent) =>
        nullFields.length === 0 ? e : { ...e, fields: { ...Object.fromEntries(nullFields.map((f) => [f, null])), ...e.fields } };
      const want = events.flatMap((e, i) => (index.match(asNative(e)).length ? [i] : []));
      if (nullFields.length) withNull += 1;
      if (want.length) withMatches += 1;
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${rule.file} ${rule.title}: aql ${got.length} vs native ${want.length}`);
    }
    db.closeSync();
    expect(mismatches).toEqual([]);
    expect(notConverted).toEqual([]);
    expect(withMatches).toBeGreaterThan(rules.length * 0.95);
    expect(withNull).toBeGreaterThan(10); // the null mapping is really exercised
  }, 600_000);
});
