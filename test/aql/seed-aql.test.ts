import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rawCsvField } from '../../src/outputs/escape.js';
import { requireShared, runCli } from '../helpers/cli.js';
import { generateEvents } from '../seed/generate-qradar.js';

/** The seed's AQL exactly as published (from SELECT to LIMIT 500) in the shared seed document. */
export function seedAql(): string {
  const doc = readFileSync(requireShared('seed/T1195.001-qradar.txt'), 'utf8');
  const start = doc.indexOf('SELECT\n');
  const end = doc.indexOf('LIMIT 500', start) + 'LIMIT 500'.length;
  expect(start).toBeGreaterThan(0);
  return doc.slice(start, end);
}

const NOW = '2026-11-27T12:00:00Z';

function exportFile(count: number, seed?: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'sw-aql-'));
  const file = join(dir, 'qradar-export.json');
  writeFileSync(file, JSON.stringify({ events: generateEvents(count, seed) }));
  return file;
}

describe('aql run: the seed query verbatim equals scan --rules seed', () => {
  it('byte-identical CSV on 6,000 generated edge-case events (LIMIT reached)', { timeout: 15_000 }, async () => {
    const file = exportFile(6000);
    const queryFile = join(mkdtempSync(join(tmpdir(), 'sw-aql-')), 'seed.aql');
    writeFileSync(queryFile, seedAql());
    const aql = await runCli(['aql', 'run', `@${queryFile}`, '--events', file, '--now', NOW, '--format', 'csv', '-q']);
    expect(aql.stderr).toBe('');
    const scan = await runCli(['scan', file, '--rules', 'seed', '--now', NOW, '--since', '24h', '--limit', '500', '--format', 'csv', '-q']);
    expect(scan.stdout.length).toBeGreaterThan(20_000); // the 500-row limit is reached (see test/seed)
    expect(aql.stdout).toBe(scan.stdout);
    expect(aql.status).toBe(1);
  });

  it('byte-identical CSV from a QRadar CSV export, limit not reached', { timeout: 15_000 }, async () => {
    const events = generateEvents(1500, 42);
    const columns = [...new Set(events.flatMap((e) => Object.keys(e)))];
    const cell = (v: string | number | null | undefined) => (v === undefined || v === null ? '' : rawCsvField(String(v)));
    const file = join(mkdtempSync(join(tmpdir(), 'sw-aql-')), 'qradar-export.csv');
    writeFileSync(file, [columns.map((c) => rawCsvField(c)).join(','), ...events.map((e) => columns.map((c) => cell(e[c])).join(','))].join('\r\n') + '\r\n');
    const scan = await runCli(['scan', file, '--rules', 'seed', '--now', NOW, '--since', '24h', '--limit', '500', '--format', 'csv', '-q']);
    const aql = await runCli(['aql', 'run', seedAql(), '--events', file, '--now', NOW, '--format', 'csv', '-q']);
    expect(aql.stderr).toBe('');
    expect(aql.stdout).toBe(scan.stdout);
    expect(scan.stdout.split('\r\n').length).toBeGreaterThan(100);
  });

  it('the converted seed pack (convert --to aql --combine seed) selects and labels the same rows', { timeout: 15_000 }, async () => {
    const conv = await runCli(['convert', '--to', 'aql', '--combine', 'seed']);
    expect(conv.status).toBe(0);
    const query = conv.stdout.trim();
    expect(query).toMatch(/END AS DetectionArm\nFROM events\nWHERE\n  starttime > DATEADD\('hours', -24, NOW\(\)\)/);
    expect(query).toMatch(/ORDER BY starttime DESC\nLIMIT 500$/);
    for (const seed of [7, 99]) {
      const file = exportFile(4000, seed);
      const aql = await runCli(['aql', 'run', query, '--events', file, '--now', NOW, '--format', 'csv', '-q']);
      const scan = await runCli(['scan', file, '--rules', 'seed', '--now', NOW, '--since', '24h', '--limit', '500', '--format', 'csv', '-q']);
      expect(aql.stderr).toBe('');
      expect(aql.stdout).toBe(scan.stdout);
    }
  });
});

describe('aql run: errors and formats', () => {
  it('names an unsupported construct with its position', async () => {
    const file = exportFile(10);
    const r = await runCli(['aql', 'run', 'SELECT sourceip FROM events\nGROUP BY sourceip', '--events', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unsupported AQL construct 'GROUP' (the offline runner supports the detection subset; see docs/conversion.md) at line 2, column 1");
    const f = await runCli(['aql', 'run', 'SELECT FOO(sourceip) FROM events', '--events', file]);
    expect(f.stderr).toContain("unsupported AQL function 'FOO' at line 1, column 8");
  });

  it('jsonl rows are keyed by the aliases; LAST n HOURS, IN, IS NULL, MATCHES, INCIDR work', { timeout: 15_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-aql-'));
    const file = join(dir, 'e.json');
    const t = Date.parse(NOW);
    writeFileSync(file, JSON.stringify({ events: [
      { starttime: t - 1000, qidname: 'Process Create', sourceip: '10.1.2.3', 'Process Name': 'C:\\a\\cmd.exe', devicetype: 12 },
      { starttime: t - 2000, qidname: 'Process Create', sourceip: '192.168.1.1', 'Process Name': '100%_x.exe', devicetype: 13 },
      { starttime: t - 7_200_000, qidname: 'Process Create', sourceip: '10.9.9.9', 'Process Name': 'cmd.exe', devicetype: 12 },
    ] }));
    const q = "SELECT LOWER(\"Process Name\") AS p, sourceip FROM events WHERE INCIDR('10.0.0.0/8', sourceip) AND devicetype IN (12, 14) AND \"URL\" IS NULL AND \"Process Name\" MATCHES '(?i)CMD\\.exe$' LAST 1 HOURS";
    const r = await runCli(['aql', 'run', q, '--events', file, '--now', NOW, '--format', 'jsonl', '-q']);
    expect(r.stdout).toBe('{"p":"c:\\\\a\\\\cmd.exe","sourceip":"10.1.2.3"}\n');
    const esc = await runCli(['aql', 'run', "SELECT sourceip FROM events WHERE \"Process Name\" LIKE '100\\%\\_%'", '--events', file, '--now', NOW, '-q', '--format', 'csv']);
    expect(esc.stdout).toBe('sourceip\r\n192.168.1.1\r\n');
    const table = await runCli(['aql', 'run', 'SELECT sourceip AS ip, "URL" FROM events ORDER BY starttime', '--events', file, '--now', NOW, '-q', '--format', 'table']);
    expect(table.stdout).toBe('ip           URL\n10.9.9.9\n192.168.1.1\n10.1.2.3\n');
  });

  it('input that is not a QRadar export is reported, not silently read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-aql-'));
    const file = join(dir, 'sysmon.ndjson');
    writeFileSync(file, JSON.stringify({ EventID: 1, Image: 'C:\\a.exe', UtcTime: '2026-11-27 10:00:00.000', Channel: 'Microsoft-Windows-Sysmon/Operational' }) + '\n');
    const r = await runCli(['aql', 'run', 'SELECT * FROM events', '--events', file, '--now', NOW, '--format', 'csv']);
    expect(r.stderr).toMatch(/bad record: .*sysmon\.ndjson.*not a QRadar export/);
    expect(r.stderr).toMatch(/0 events, 1 bad record, 0 rows/);
  });
});
