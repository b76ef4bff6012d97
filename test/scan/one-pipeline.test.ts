import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeEvents } from '../../src/bench/generate.js';
import { runCli } from '../helpers/cli.js';
import { readAlerts, runSupplywatch, workspace, type AlertRecord } from '../sensor/sensor-cli.js';

/**
 * One event pipeline (alerts/pipeline.ts): the same events and the same config through `run`
 * live, `scan` of its `--save` file on one thread and on two, and `eval`, give the same alerts.
 * The pack exercises every step: enrichment (an ancestry field), a correlation, the config's
 * suppression and level override.
 */
const dir = mkdtempSync(join(tmpdir(), 'sw-pipeline-'));
const pack = join(dir, 'pack');
const config = join(dir, 'supplywatch.yaml');
const NOW = '2026-06-01T00:00:00Z';

const RULES: Record<string, string> = {
  'workflow.yml': `title: Workflow file written
id: 55555555-0000-4000-8000-000000000001
level: high
logsource: {category: file_event, product: linux}
detection: {sel: {TargetFilename|contains: '/.github/workflows/'}, condition: sel}
`,
  'id-under-shell.yml': `title: id run below a shell
id: 55555555-0000-4000-8000-000000000002
name: id_below_shell
level: medium
logsource: {category: process_creation, product: linux}
detection: {sel: {Image|endswith: '/id', AncestorImages|endswith: '/sh'}, condition: sel}
`,
  'touch.yml': `title: touch run
id: 55555555-0000-4000-8000-000000000003
level: low
logsource: {category: process_creation, product: linux}
detection: {sel: {Image|endswith: '/touch'}, condition: sel}
`,
  'burst.yml': `title: Two id runs on one host
id: 55555555-0000-4000-8000-000000000004
level: high
correlation: {type: event_count, rules: [id_below_shell], group-by: [host], timespan: 1h, condition: {gte: 2}, generate: true}
`,
};

/** An alert as every output shows it, without where its event was read from. */
function key(a: AlertRecord): string {
  const f = a.fields;
  return JSON.stringify([a.rule.id, a.rule.level, f.Image ?? null, f.CommandLine ?? null, f.TargetFilename ?? null, f.CorrelationCount ?? null]);
}

function keys(jsonl: string): string[] {
  return readAlerts(jsonl).map(key);
}

let live: Awaited<ReturnType<typeof runSupplywatch>>;
let saved: string;

beforeAll(async () => {
  mkdirSync(pack);
  for (const [file, text] of Object.entries(RULES)) writeFileSync(join(pack, file), text);
  writeFileSync(config, [
    'levels:',
    '  55555555-0000-4000-8000-000000000001: critical',
    '  55555555-0000-4000-8000-000000000004: medium',
    'suppressions:',
    '  - rule: 55555555-0000-4000-8000-000000000003',
    '    expires: 2026-12-31',
    '',
  ].join('\n'));
  const work = workspace();
  saved = join(dir, 'saved.ndjson');
  const script = "mkdir -p .github/workflows && echo 'on: push' > .github/workflows/ci.yml; id; id; touch x";
  live = await runSupplywatch(['run', '--rules', pack, '--config', config, '--now', NOW, '--save', saved, '--format', 'jsonl', '--', 'sh', '-c', script], work);
}, 60_000);

describe('one pipeline for run, scan (1 and 2 threads) and eval', () => {
  it('run --config applies the config live: suppressed rules are silent, levels overridden', async () => {
    expect(live.status, live.stderr).toBe(1);
    const alerts = readAlerts(live.stdout);
    const byRule = alerts.map((a) => [a.rule.title, a.rule.level]);
    expect(byRule).toContainEqual(['Workflow file written', 'critical']);
    expect(byRule.filter(([title]) => title === 'id run below a shell')).toHaveLength(2);
    expect(byRule).toContainEqual(['Two id runs on one host', 'medium']);
    expect(byRule.map(([title]) => title)).not.toContain('touch run');
    // Without the config, the same saved events give the suppressed alert and the rule's own level.
    const untuned = await runCli(['scan', '--rules', pack, '-q', '--format', 'jsonl', saved]);
    const untunedRules = readAlerts(untuned.stdout).map((a) => [a.rule.title, a.rule.level]);
    expect(untunedRules).toContainEqual(['touch run', 'low']);
    expect(untunedRules).toContainEqual(['Workflow file written', 'high']);
  });

  it('scan of the --save file gives the live alerts', async () => {
    const replay = await runCli(['scan', '--rules', pack, '--config', config, '--now', NOW, '-q', '--format', 'jsonl', '--threads', '1', saved]);
    expect(replay.status).toBe(1);
    expect(keys(replay.stdout)).toEqual(keys(live.stdout));
  });

  it('two threads give the one-thread output byte for byte, and the same alerts for the saved events', async () => {
    // Enough other input (two byte ranges) that the scan really splits across threads.
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    copyFileSync(saved, join(folder, 'a-saved.ndjson'));
    await writeEvents(join(folder, 'b-filler.ndjson'), 30_000);
    const args = ['scan', '--rules', pack, '--config', config, '--now', NOW, '--format', 'jsonl', folder];
    const [one, two] = await Promise.all([runCli([...args, '--threads', '1']), runCli([...args, '--threads', '2'])]);
    expect(two.stderr).toMatch(/^threads: 2$/m);
    expect(two.stdout).toBe(one.stdout);
    const fromSaved = readAlerts(two.stdout).filter((a) => !String((a as { source?: { file?: string } }).source?.file ?? '').endsWith('b-filler.ndjson'));
    expect(fromSaved.map(key)).toEqual(keys(live.stdout));
  }, 120_000);

  it('eval of the saved file counts the same alerts per rule', async () => {
    const corpus = join(dir, 'corpus');
    mkdirSync(corpus);
    copyFileSync(saved, join(corpus, 'install.ndjson'));
    writeFileSync(join(corpus, 'labels.yaml'), 'install.ndjson: malicious\n');
    const res = await runCli(['eval', corpus, '--rules', pack, '--config', config, '--now', NOW, '--format', 'json']);
    expect(res.status, res.stderr).toBe(0);
    const result = JSON.parse(res.stdout) as { files: Array<{ packs: Array<{ rules: Array<{ rule: string; level?: string; alerts: number }> }> }> };
    const counted = result.files[0]!.packs[0]!.rules.map((r) => [r.rule, r.level, r.alerts]).sort();
    const liveCounts = new Map<string, [string, string | undefined, number]>();
    for (const a of readAlerts(live.stdout)) {
      const entry = liveCounts.get(a.rule.id!) ?? [a.rule.id!, a.rule.level, 0];
      entry[2] += 1;
      liveCounts.set(a.rule.id!, entry);
    }
    expect(counted).toEqual([...liveCounts.values()].sort());
  });
});
