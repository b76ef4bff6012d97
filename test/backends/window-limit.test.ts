import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../src/backends/index.js';
import { createEventsTable } from '../../src/backends/sql-events.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import type { SigmaRule } from '../../src/sigma/rule.js';
import { loadRulesFromText } from '../../src/sigma/yaml-loader.js';

const RULE = loadRulesFromText(
  'title: t\nlogsource: {category: process_creation, product: windows}\ndetection:\n  sel: {Image|endswith: \\cmd.exe}\n  condition: sel\n',
  'r.yml',
).rules[0] as SigmaRule;

describe('--since and --limit', () => {
  it('each target frames the query with its own time filter and row limit', () => {
    const q = (to: string, pipeline?: string) => BACKENDS.get(to)!.rule(RULE, { pipeline: pipeline ?? BACKENDS.get(to)!.pipelines[0]!, since: '24h', limit: 10 });
    expect(q('aql')).toBe(`SELECT * FROM events WHERE starttime > DATEADD('hours', -24, NOW()) AND (QIDNAME(qid) LIKE '%Process Create%' AND "Process Name" ILIKE '%\\\\cmd.exe') LIMIT 10`);
    expect(q('kql')).toBe('DeviceProcessEvents\n| where Timestamp > ago(24h)\n| where FolderPath endswith "\\\\cmd.exe"\n| take 10');
    expect(q('kql', 'sentinel')).toBe('SecurityEvent\n| where TimeGenerated > ago(24h)\n| where EventID == 4688 and NewProcessName endswith "\\\\cmd.exe"\n| take 10');
    expect(q('spl')).toBe('earliest=-24h source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 Image="*\\\\cmd.exe"\n| head 10');
    expect(q('esql')).toBe('from logs-* metadata _id, _index, _version | where ends_with(to_lower(process.executable), "\\\\cmd.exe") | where @timestamp > now() - 24 hours | limit 10');
    expect(() => q('eql')).toThrow(/--since is not expressible in EQL/);
    expect(() => BACKENDS.get('sql')!.rule(RULE, { pipeline: 'flat', since: '1 day' })).toThrow(/not a duration like .*24h/);
  });

  it('takes every duration scan takes (one grammar, src/duration.ts), in one unit each language accepts', () => {
    const q = (to: string, since: string) => BACKENDS.get(to)!.rule(RULE, { pipeline: BACKENDS.get(to)!.pipelines[0]!, since });
    expect(q('aql', '1w')).toContain(`starttime > DATEADD('days', -7, NOW())`);
    expect(q('kql', '1w')).toContain('ago(7d)');
    expect(q('spl', '1h30m')).toMatch(/^earliest=-90m /);
    expect(q('esql', '90s')).toContain('now() - 90 seconds');
    expect(q('sql', '2d')).toContain(`> epoch_ms(now()) - ${2 * 86_400_000}`);
  });

  it('the SQL window keeps the last 24 hours only (run in DuckDB)', async () => {
    const now = Date.now();
    const ev = (ageHours: number): NormalizedEvent => ({
      category: 'process_creation',
      product: 'windows',
      time: now - ageHours * 3_600_000,
      fields: { Image: 'C:\\Windows\\System32\\cmd.exe' },
      source: { file: 't', format: 't' },
    });
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await createEventsTable(db, [ev(1), ev(48), ev(23), ev(25)]);
    const sql = BACKENDS.get('sql')!.rule(RULE, { pipeline: 'flat', since: '24h', limit: 10 });
    const ids = (await db.runAndReadAll(sql.replace('SELECT *', 'SELECT "_id"'))).getRows().map((r) => Number(r[0])).sort();
    expect(ids).toEqual([0, 2]);
    db.closeSync();
  });
});
