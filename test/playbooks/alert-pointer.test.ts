import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { alertId, idOfAlert } from '../../src/alerts/alert-id.js';
import { loadPacks } from '../../src/alerts/pack.js';
import { DEFAULT_COLUMNS } from '../../src/outputs/default-columns.js';
import { jsonlFormatter } from '../../src/outputs/jsonl.js';
import { tableFormatter } from '../../src/outputs/table.js';

async function alertOn(line: number, host = 'ws1'): Promise<Alert> {
  const { packs } = await loadPacks(['hardened']);
  const pack = packs[0]!;
  const rule = pack.rules.find((r) => r.id === '8de50b45-a2cd-4c3d-b298-e6c7d6cd6c78')!;
  return {
    seq: line, pack, rule, label: '',
    event: { category: 'process_creation', host, time: Date.UTC(2026, 11, 7, 6, 0, line), fields: { Image: '/usr/bin/npm', CommandLine: 'npm i --registry http://x' }, source: { file: 'e.ndjson', format: 'sigma-ndjson', line } },
  };
}

describe('alert id', () => {
  it('is the same for the same rule and event identity, different for another line, host or rule', async () => {
    const a = await alertOn(3);
    expect(idOfAlert(a)).toMatch(/^sw-[0-9a-f]{16}$/);
    expect(idOfAlert(await alertOn(3))).toBe(idOfAlert(a));
    expect(idOfAlert(await alertOn(4))).not.toBe(idOfAlert(a));
    expect(idOfAlert(await alertOn(3, 'ws2'))).not.toBe(idOfAlert(a));
    expect(idOfAlert({ ...a, rule: { ...a.rule, id: 'other' } as Alert['rule'] })).not.toBe(idOfAlert(a));
  });

  it('is recomputed from the JSONL line alone (what explain does)', async () => {
    const a = await alertOn(3);
    const line = JSON.parse(jsonlFormatter({ columns: DEFAULT_COLUMNS }).format(a));
    expect(alertId({ rule: line.rule.id, source: line.source, time: line.time, host: line.host })).toBe(line.alert_id);
  });
});

describe('playbook pointer', () => {
  it('JSONL carries the playbook summary and the explain command; the table a short line', async () => {
    const a = await alertOn(3);
    const line = JSON.parse(jsonlFormatter({ columns: DEFAULT_COLUMNS }).format(a));
    expect(line.playbook.rule).toBe('8de50b45-a2cd-4c3d-b298-e6c7d6cd6c78');
    expect(line.playbook.explain).toBe('supplywatch explain 8de50b45-a2cd-4c3d-b298-e6c7d6cd6c78');
    expect(line.playbook.summary).toMatch(/registry/);
    const table = tableFormatter({ columns: DEFAULT_COLUMNS, width: 0 }).format(a);
    expect(table).toMatch(/^ {2}playbook +supplywatch explain 8de50b45-a2cd-4c3d-b298-e6c7d6cd6c78 {2}A package manager was pointed/m);
    expect(table).toContain(`  alert `);
    expect(table).toContain(line.alert_id);
  });

  it('a rule without a playbook gets no pointer (never a dangling command)', async () => {
    const a = await alertOn(3);
    const own = { ...a, rule: { ...a.rule, id: 'no-such-rule' } as Alert['rule'] };
    expect(JSON.parse(jsonlFormatter({ columns: DEFAULT_COLUMNS }).format(own)).playbook).toBeUndefined();
    expect(tableFormatter({ columns: DEFAULT_COLUMNS, width: 0 }).format(own)).not.toContain('playbook');
  });
});
