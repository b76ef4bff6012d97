import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const ARM3 = 'rules/t1195.001/seed/arm3-cicd-pipeline-file.yml';
const CICD = ['.github/workflows', '.gitlab-ci', 'Jenkinsfile', '.circleci', 'azure-pipelines', '.travis'];

/** A base rule the correlation tests name. */
const CMD_RULE = `title: cmd
name: cmd
logsource: {category: process_creation, product: windows}
detection:
  sel: {Image|endswith: '\\cmd.exe'}
  condition: sel
`;

function ruleFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sw-conv-')), name);
  writeFileSync(file, text);
  return file;
}

describe('supplywatch convert', () => {
  it('converts the seed pack to every target, one query per rule', async () => {
    for (const to of ['aql', 'spl', 'kql', 'esql', 'eql', 'sql']) {
      const r = await runCli(['convert', '--to', to, '--format', 'jsonl', 'seed']);
      // arm 3 has no logsource category: KQL (table per category) and SPL (EventCode per category) can run it only without a pipeline; KQL has no qidname (arm 2b).
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { query: string; id: string });
      expect(lines.length, to).toBe(to === 'kql' ? 3 : 5);
      expect(new Set(lines.map((l) => l.id)).size).toBe(lines.length);
    }
  });

  it('arm 3 in EQL and ES|QL: ECS file.path, case-insensitive substring tests', async () => {
    const eql = await runCli(['convert', '--to', 'eql', ARM3]);
    expect(eql.stdout).toBe(`any where file.path like~ (${CICD.map((c) => `"*${c}*"`).join(', ')})\n\n`);
    const esql = await runCli(['convert', '--to', 'esql', ARM3]);
    expect(esql.stdout).toBe(
      `from logs-* metadata _id, _index, _version | where ${CICD.map((c) => `to_lower(file.path) like "*${c.toLowerCase()}*"`).join(' or ')}\n\n`,
    );
    expect(esql.status).toBe(0);
  });

  it('AQL escapes LIKE metacharacters and quotes, and guards negated tests against NULL', async () => {
    const file = ruleFile('r.yml', `title: t
logsource: {category: process_creation}
detection:
  sel: {CommandLine|contains: "100%_o'k\\\\x"}
  filter: {ParentImage|endswith: '\\\\explorer.exe'}
  condition: sel and not filter
`);
    const r = await runCli(['convert', '--to', 'aql', file]);
    expect(r.stdout).toBe(
      `SELECT * FROM events WHERE QIDNAME(qid) LIKE '%Process Create%' AND "Command" ILIKE '%100\\%\\_o''k\\\\x%' AND NOT ("Parent Process Name" IS NOT NULL AND "Parent Process Name" ILIKE '%\\\\explorer.exe')\n\n`,
    );
  });

  it('names each rule it cannot convert, converts the others, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-conv-'));
    writeFileSync(join(dir, 'a.yml'), 'title: dns\nlogsource: {category: dns_query}\ndetection:\n  sel: {QueryName: evil.example}\n  condition: sel\n');
    writeFileSync(join(dir, 'b.yml'), 'title: proc\nlogsource: {category: process_creation}\ndetection:\n  sel: {Image|endswith: \\node.exe}\n  condition: sel\n');
    const r = await runCli(['convert', '--to', 'kql', dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('DeviceProcessEvents\n| where FolderPath endswith "\\\\node.exe"\n\n');
    expect(r.stderr).toMatch(/a\.yml:1 dns: not converted: logsource category 'dns_query' has no table in pipeline 'microsoft-xdr'/);
  });

  it('--combine where the target cannot, bad pipeline, unknown target', async () => {
    const c = await runCli(['convert', '--to', 'kql', '--combine', 'seed']);
    expect(c.stderr).toMatch(/seed: not converted: --combine is not expressible in kql/);
    const p = await runCli(['convert', '--to', 'spl', '--pipeline', 'bogus', 'seed']);
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/--pipeline for spl must be one of splunk-sysmon, splunk-cim, none/);
    const t = await runCli(['convert', '--to', 'lucene', 'seed']);
    expect(t.status).toBe(2);
    // A rule argument that names nothing is a usage error, as in scan: nothing is converted.
    const b = await runCli(['convert', '--to', 'aql', '--combine', 'bogus', 'seed']);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/^supplywatch: --rules: no rule file, folder or built-in pack named 'bogus' \(built-in packs: .*seed/);
    expect(b.stdout).toBe('');
  });

  it('correlations: SQL and SPL express them, KQL says it cannot; base rules are not output alone', async () => {
    const file = ruleFile('corr.yml', `${CMD_RULE}---
title: many cmd
correlation: {type: event_count, rules: [cmd], group-by: [User], timespan: 5m, condition: {gte: 3}}
`);
    const spl = await runCli(['convert', '--to', 'spl', file]);
    expect(spl.stdout).toBe(
      'source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 Image="*\\\\cmd.exe"\n\n| bin _time span=5m\n| stats count as event_count by _time User\n\n| search event_count >= 3\n\n',
    );
    expect(spl.stderr).toMatch(/warning: timespan 5m is applied as fixed time buckets/);
    const kql = await runCli(['convert', '--to', 'kql', file]);
    expect(kql.stdout).toBe('');
    expect(kql.stderr).toMatch(/many cmd: not converted: correlation rules are not expressible in kql/);
  });

  it('a correlation whose rules are an alias without an anchor: rejected at the alias, the other documents converted', async () => {
    const file = ruleFile('corr-alias.yml', `${CMD_RULE}---
title: many cmd
correlation:
  type: event_count
  rules: *missing
  timespan: 5m
  condition: {gte: 3}
`);
    const r = await runCli(['convert', '--to', 'spl', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/fatal/);
    expect(r.stderr).toMatch(/corr-alias\.yml:11:10 many cmd: not converted: rule rejected: YAML alias error: .*missing/);
    expect(r.stdout).toBe('source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 Image="*\\\\cmd.exe"\n\n');
  });
});
