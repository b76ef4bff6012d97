import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { correlationsFromText } from '../../src/backends/correlation.js';
import { createEventsTable } from '../../src/backends/sql-events.js';
import { sqlBackend } from '../../src/backends/sql.js';
import type { NormalizedEvent } from '../../src/events/event.js';

/** Correlations converted to SQL, run over a small table whose answer is worked out by hand. */
const RULES = `
title: cmd
name: cmd
logsource: {category: process_creation, product: windows}
detection:
  sel: {Image|endswith: '\\cmd.exe'}
  condition: sel
---
title: whoami
name: whoami
logsource: {category: process_creation, product: windows}
detection:
  sel: {CommandLine|contains: whoami}
  condition: sel
---
title: many cmd per user
correlation: {type: event_count, rules: [cmd], group-by: [User], timespan: 5m, condition: {gte: 3}}
---
title: distinct commands per user
correlation: {type: value_count, rules: [cmd], group-by: [User], timespan: 5m, condition: {field: CommandLine, gte: 2}}
---
title: cmd and whoami, not only cmd
correlation: {type: temporal, rules: [cmd, whoami], group-by: [User], timespan: 5m}
---
title: cmd without whoami
correlation: {type: temporal, rules: [cmd, whoami], group-by: [User], timespan: 5m, condition: cmd and not whoami}
`;

const T0 = Date.parse('2026-11-27T12:00:00Z'); // on a 5-minute bucket boundary
const ev = (min: number, user: string, image: string, cmd: string): NormalizedEvent => ({
  category: 'process_creation',
  product: 'windows',
  time: T0 + min * 60_000,
  fields: { User: user, Image: image, CommandLine: cmd },
  source: { file: 't', format: 't' },
});

// Bucket 12:00-12:05: alice runs cmd 3 times (2 distinct command lines), bob runs cmd once and whoami.
// Bucket 12:05-12:10: alice runs cmd twice; carol runs whoami only.
const EVENTS = [
  ev(0, 'alice', 'C:\\Windows\\System32\\cmd.exe', 'cmd /c dir'),
  ev(1, 'alice', 'C:\\Windows\\System32\\CMD.EXE', 'cmd /c dir'),
  ev(2, 'alice', 'C:\\Windows\\System32\\cmd.exe', 'cmd /c ver'),
  ev(3, 'bob', 'C:\\Windows\\System32\\cmd.exe', 'cmd /c whoami'),
  ev(4, 'bob', 'C:\\Windows\\System32\\whoami.exe', 'whoami /all'),
  ev(6, 'alice', 'C:\\Windows\\System32\\cmd.exe', 'cmd /c a'),
  ev(7, 'alice', 'C:\\Windows\\System32\\cmd.exe', 'cmd /c b'),
  ev(8, 'carol', 'C:\\Windows\\System32\\whoami.exe', 'whoami'),
];

describe('sql correlations', () => {
  it('event_count, value_count and temporal (plain and with a condition) select the right groups', async () => {
    const correlations = correlationsFromText(RULES, 'rules.yml');
    expect(correlations.map((c) => c.type)).toEqual(['event_count', 'value_count', 'temporal', 'temporal']);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await createEventsTable(db, EVENTS);
    const groups = async (i: number) =>
      (await db.runAndReadAll(`SELECT strftime(bucket, '%H:%M'), "User" FROM (${sqlBackend.correlation!(correlations[i]!, { pipeline: 'flat' })}) ORDER BY 1, 2`))
        .getRows()
        .map((r) => r.join(' '));
    expect(await groups(0)).toEqual(['12:00 alice']);
    expect(await groups(1)).toEqual(['12:00 alice', '12:05 alice']);
    // bob's `cmd /c whoami` is both a cmd and a whoami event; his whoami.exe too is a whoami.
    expect(await groups(2)).toEqual(['12:00 bob']);
    expect(await groups(3)).toEqual(['12:00 alice', '12:05 alice']);
    db.closeSync();
  });
});
