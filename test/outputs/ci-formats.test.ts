import { readFileSync } from 'node:fs';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { githubFormatter } from '../../src/outputs/github.js';
import type { AlertFormatter } from '../../src/outputs/formatter.js';
import { sarifFormatter } from '../../src/outputs/sarif.js';
import { summaryFormatter } from '../../src/outputs/summary.js';
import { requireShared } from '../helpers/cli.js';
import { ARM_COLUMN, hostileAlert, hostileRule } from './hostile-alert.js';

/** A whole output as the main thread writes it: header, each alert through the document, end. */
function render(formatter: AlertFormatter, alerts: Alert[]): string {
  let first = true;
  const doc = formatter.document?.() ?? {
    add: (t: string) => (first ? ((first = false), t) : (formatter.separator ?? '') + t),
    end: () => formatter.footer ?? '',
  };
  return formatter.header + alerts.map((a) => doc.add(formatter.format(a))).join('') + doc.end();
}

function validator() {
  const schema = JSON.parse(readFileSync(requireShared('schemas/sarif-schema-2.1.0.json'), 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('SARIF 2.1.0', () => {
  const rules = [hostileRule(), hostileRule({ id: undefined, title: 'no id', level: 'informational' })];

  it('validates against the official schema, with hostile values, and without any result', () => {
    const validate = validator();
    const sarif = render(sarifFormatter({ columns: [ARM_COLUMN], rules }), [hostileAlert(), hostileAlert(rules[1])]);
    const log = JSON.parse(sarif) as { runs: Array<{ results: Array<Record<string, unknown>>; tool: { driver: { rules: Array<{ id: string }> } } }> };
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(['11111111-2222-4333-8444-555555555555', 'file:hostile.yml']);
    expect(log.runs[0]!.results.map((r) => [r.ruleId, r.level])).toEqual([['11111111-2222-4333-8444-555555555555', 'error'], ['file:hostile.yml', 'note']]);
    expect(log.runs[0]!.results[0]!.locations).toEqual([{ physicalLocation: { artifactLocation: { uri: 'file:///logs/x.ndjson' }, region: { startLine: 7 } } }]);
    const empty = JSON.parse(render(sarifFormatter({ columns: [], rules }), [])) as unknown;
    expect(validate(empty), JSON.stringify(validate.errors)).toBe(true);
  });

  it('carries the command line exactly, with no raw control or bidi character in the file', () => {
    const sarif = render(sarifFormatter({ columns: [], rules }), [hostileAlert()]);
    expect(sarif).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    const result = (JSON.parse(sarif) as { runs: Array<{ results: Array<{ properties: { fields: { CommandLine: string } } }> }> }).runs[0]!.results[0]!;
    expect(result.properties.fields.CommandLine).toBe('cmd /c "a|b" x=1 C:\\tmp\\t\tTAB\nNEXT\r\u001b[31mRED\u202eevil');
  });
});

describe('GitHub annotations', () => {
  it('one workflow command per alert, with data and properties escaped as GitHub reads them', () => {
    const text = render(githubFormatter(), [hostileAlert()]);
    expect(text).toBe(
      '::error title=supplywatch%3A Pipe | back\\slash%0Anew (high),file=/logs/x.ndjson,line=7::' +
        'HOST 2026-11-27T09:16:40.004Z: cmd /c "a|b" x=1 C:\\tmp\\t\tTAB%0ANEXT%0D\\u001b[31mRED\\u202eevil [rule 11111111-2222-4333-8444-555555555555]\n',
    );
  });

  it('writes at most 10 of each kind per step and says how many were left out', () => {
    const alerts = [
      ...Array.from({ length: 25 }, () => hostileAlert(hostileRule({ level: 'high' }))),
      ...Array.from({ length: 3 }, () => hostileAlert(hostileRule({ level: 'low' }))),
      ...Array.from({ length: 12 }, () => hostileAlert(hostileRule({ level: 'informational' }))),
    ];
    const lines = render(githubFormatter(), alerts).trimEnd().split('\n');
    const count = (kind: string) => lines.filter((l) => l.startsWith(`::${kind} `)).length;
    expect([count('error'), count('warning'), count('notice')]).toEqual([10, 3, 10]);
    expect(lines.at(-1)).toMatch(/^::notice title=supplywatch%3A 18 more alerts not annotated::/);
    expect(render(githubFormatter(), alerts.slice(0, 10))).not.toMatch(/not annotated/);
  });
});

describe('Markdown job summary', () => {
  it('totals by level and rule, hostile text shown as text', () => {
    const md = render(summaryFormatter(), [hostileAlert(), hostileAlert(hostileRule({ level: 'low', id: 'r2', title: '<script>alert(1)</script>' }))]);
    expect(md).toContain('## supplywatch: 2 alerts\n');
    expect(md).toContain('| high | 1 |\n| low | 1 |\n');
    expect(md).toContain('&#60;script&#62;alert&#40;1&#41;&#60;/script&#62;');
    expect(md).not.toMatch(/<script|[\u001b\u202e]/);
    // The pipe of the command line does not end its cell: every row has its five cells.
    for (const row of md.split('\n').filter((l) => l.startsWith('| high |') || l.startsWith('| low |'))) expect(row.split('|').length).toBeGreaterThanOrEqual(4);
  });

  it('stays under 1 MiB whatever the number of alerts, and says how many are not listed', () => {
    const long = 'x'.repeat(5000);
    const alerts = Array.from({ length: 20_000 }, (_, i) => hostileAlert(hostileRule({ id: `rule-${i % 300}`, title: `rule ${i % 300}` }), long));
    const md = render(summaryFormatter(), alerts);
    expect(Buffer.byteLength(md)).toBeLessThan(1024 * 1024);
    const listed = md.split('\n').filter((l) => l.startsWith('| high | rule ')).length;
    expect(md).toContain(`\n${20_000 - listed} more alerts not listed here`);
    expect(md).toContain('| 200 more rules |');
  });
});
