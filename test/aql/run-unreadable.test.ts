import { describe, expect, it } from 'vitest';
import { AqlError } from '../../src/aql/parse.js';
import { runAql } from '../../src/aql/run.js';
import type { BadRecord, UnreadableInput } from '../../src/sources/open.js';

describe('aql run: --events that cannot be read', () => {
  it('is reported once through onUnreadable, apart from bad records, and the other inputs are queried', async () => {
    const bad: BadRecord[] = [];
    const unreadable: UnreadableInput[] = [];
    const result = await runAql('SELECT devicehostname FROM events', ['/nonexistent/export.json', 'samples/qradar-export.json'], {
      now: Date.parse('2026-11-27T12:00:00Z'),
      onBad: (b) => bad.push(b),
      onUnreadable: (u) => unreadable.push(u),
    });
    expect(unreadable.map((u) => [u.file, u.named, u.code])).toEqual([['/nonexistent/export.json', true, 'ENOENT']]);
    expect(bad).toEqual([]);
    expect(result.events).toBe(9);
    expect(result.rows).toHaveLength(9);
  });
});

describe('aql run: a query DuckDB refuses when it runs', () => {
  it('is an AqlError with the reason DuckDB gives, not a crash (each Command value taken as a regular expression)', async () => {
    const run = runAql('SELECT * FROM events WHERE "Process Name" MATCHES "Command"', ['samples/qradar-export.json'], { now: Date.parse('2026-11-27T12:00:00Z') });
    await expect(run).rejects.toBeInstanceOf(AqlError);
    await expect(run).rejects.toThrow(/^DuckDB could not run the query: Invalid Input Error: .*escape/);
  });
});
