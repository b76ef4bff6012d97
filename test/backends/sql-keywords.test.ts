/** The `sql` target's keywords search the values the native engine's keywords search: none of the enricher's. */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../src/backends/index.js';
import { createEventsTable } from '../../src/backends/sql-events.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import type { SigmaRule } from '../../src/sigma/rule.js';
import { loadRulesFromText } from '../../src/sigma/yaml-loader.js';

const RULE = loadRulesFromText("title: t\nlogsource: {product: windows}\ndetection:\n  keywords: ['sekurlsa::', 'evil.example']\n  condition: keywords\n", 'r.yml').rules[0] as SigmaRule;

const ev = (fields: Record<string, unknown>): NormalizedEvent => ({ product: 'windows', fields: fields as NormalizedEvent['fields'], source: { file: 't', format: 't' } });

describe('sql keywords', () => {
  it('match the same events as the native engine, enriched events included', async () => {
    const events = [
      ev({ CommandLine: 'mimikatz sekurlsa::logonpasswords' }),
      // Enriched: the keyword only in an ancestor's command line, or in a host name from DNS.
      ev({ CommandLine: 'whoami', AncestorCommandLines: ['mimikatz sekurlsa::logonpasswords'] }),
      ev({ DestinationIp: '10.0.0.1', DestinationHostname: 'evil.example', DestinationHostnameSource: 'dns' }),
      // Recorded by the log: searched.
      ev({ DestinationIp: '10.0.0.2', DestinationHostname: 'evil.example' }),
      ev({ Details: { Nested: ['x', 'SEKURLSA::pth'] } }),
    ];
    const native = events.flatMap((e, i) => (RULE.matches(e) ? [i] : []));
    expect(native).toEqual([0, 3, 4]);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      await createEventsTable(db, events);
      const sql = BACKENDS.get('sql')!.rule(RULE, { pipeline: 'flat' });
      const ids = (await db.runAndReadAll(sql.replace('SELECT *', 'SELECT "_id"'))).getRows().map((r) => Number(r[0])).sort();
      expect(ids).toEqual(native);
    } finally {
      db.closeSync();
    }
  });
});
