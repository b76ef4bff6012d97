import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { loadPacks } from '../../src/alerts/pack.js';
import { serializeEvent, type NormalizedEvent } from '../../src/events/event.js';
import { jsonlFormatter } from '../../src/outputs/jsonl.js';
import { outputColumns } from '../../src/outputs/formats.js';

const event = (line: number, commandLine: string): NormalizedEvent => ({
  category: 'process_creation', product: 'windows', host: 'ws1', user: 'CORP\\dev', time: Date.UTC(2026, 10, 27, 10, 0, line),
  fields: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: commandLine },
  source: { file: 'x.ndjson', format: 'otrf', line },
});

describe('jsonl alerts', () => {
  it('are, byte for byte, the JSON of {rule, pack, label, columns, ...event, correlated, context}, escaped', async () => {
    const { packs } = await loadPacks(['seed']);
    const pack = packs[0]!;
    const [r1, r2] = pack.rules;
    const columns = outputColumns(packs);
    const e1 = event(1, 'cmd /c echo \u202ehidden\u0085 "q"');
    const e2 = event(2, 'whoami');
    // A config's level override makes a new rule object per alert (alerts/tuning.ts).
    const relevelled = Object.create(r1!, { level: { value: 'critical', enumerable: true } }) as Alert['rule'];
    const alerts: Alert[] = [
      { seq: 1, pack, rule: r1!, label: pack.labels.get(r1!.id!) ?? '', event: e1 },
      { seq: 1, pack, rule: r2!, label: '', event: e1 },
      { seq: 2, pack, rule: r1!, label: 'X', event: e2, correlated: [{ rule: 'r', title: 't', time: e1.time, host: 'ws1', source: e1.source, seq: 1 }] },
      { seq: 2, pack, rule: relevelled, label: '', event: e2, context: { ancestry: [] } as unknown as Alert['context'] },
      { seq: 1, pack, rule: r1!, label: '', event: e1 },
    ];
    const format = jsonlFormatter({ columns }).format;
    for (const alert of alerts) {
      const row: Record<string, string | null> = {};
      for (const c of columns) row[c.name] = c.get(alert.event, alert.label);
      const whole = {
        rule: { id: alert.rule.id, title: alert.rule.title, level: alert.rule.level, tags: alert.rule.tags, file: alert.rule.file },
        pack: pack.name,
        label: alert.label || undefined,
        columns: row,
        ...serializeEvent(alert.event),
        ...(alert.correlated ? { correlated: alert.correlated.map((c) => ({ ...c, seq: undefined, time: new Date(c.time!).toISOString() })) } : {}),
        ...(alert.context ? { context: alert.context } : {}),
      };
      const expected = JSON.stringify(whole).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
      expect(format(alert)).toBe(expected);
    }
    const text = alerts.map(format).join('');
    expect(text).toContain('\\u202ehidden\\u0085');
    expect(text).not.toMatch(/[\u0085\u202e]/);
    expect(JSON.parse(format(alerts[3]!)).rule.level).toBe('critical');
  });
});
