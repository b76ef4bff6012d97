import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeEvents } from '../../src/bench/generate.js';
import { CLI, runCli } from '../helpers/cli.js';

const FIX = 'test/fixtures/cli';
const SEED_HEADER = 'EventTime,Hostname,Username,SourceIP,ProcessName,CommandLine,ParentProcessName,ParentCommandLine,DetectionArm';

describe('supplywatch scan on the samples (the README command)', () => {
  it('the built CLI is executable, so `npx supplywatch` runs it on a fresh clone', () => {
    expect(statSync(CLI).mode & 0o111).not.toBe(0);
  });

  it('finds the seed arms the atomic tests should trigger, newest first with a limit', async () => {
    const r = await runCli(['scan', 'samples/', '--format', 'csv', '--limit', '500']);
    expect(r.status).toBe(1);
    const rows = r.stdout.split('\r\n').filter(Boolean);
    expect(rows[0]).toBe(SEED_HEADER);
    // The arm of each row, by what the seed AQL's CASE gives (worked out by hand from samples/).
    const arms = rows.slice(1).map((row) => row.slice(row.lastIndexOf(',') + 1));
    expect(arms).toEqual([
      '', // 10:05:01 node postinstall.js -> curl.exe: returned by the WHERE, no CASE arm
      'CICDPipelineFileModified', // 10:02:19 /home/runner/work/app/.github/workflows/ci.yml
      'PackageManagerUnexpectedExternalConnection', // 09:31:45 node.exe -> http://127.0.0.1:4873
      'PackageManagerSpawnedSuspiciousChild', // 09:20:11 node install.js -> powershell DownloadString
      'PackageManagerSpawnedSuspiciousChild', // 09:14:02.120 Sysmon: node -> cmd.exe whoami
      'PackageManagerSpawnedSuspiciousChild', // 09:14:02.000 QRadar: npm.cmd -> cmd.exe whoami
    ]);
    expect(rows[5]).toContain('npm-cli.js');
    expect(rows[6]).toContain('npm.cmd');
    // The Sysmon network event (no URL) and the backslash workflow path do not fire: seed defects.
    expect(r.stdout).not.toContain('localhost');
    expect(r.stdout).not.toContain('.github\\workflows');
    expect(r.stderr).toMatch(/samples\/qradar-export\.json: 9 events \(qradar-json\)/);
    expect(r.stderr).toMatch(/rules: 5 loaded, 0 rejected/);
  });

  it('applies the window and limit like the AQL (time > now - since, newest first)', async () => {
    const r = await runCli(['scan', 'samples/qradar-export.json', '--now', '2026-11-27T11:00:00Z', '--since', '1h', '--limit', '1', '--format', 'csv', '-q']);
    // Inside (10:00, ...]: curl.exe at 10:05:01 and the workflow file at 10:02:19; the limit keeps the newest.
    expect(r.stdout.split('\r\n').filter(Boolean)).toHaveLength(2);
    expect(r.stdout).toContain('2026-11-27 10:05:01');
  });

  it('streams alerts in input order without a limit (memory stays flat)', async () => {
    const r = await runCli(['scan', 'samples/', '--format', 'csv', '-q']);
    const times = r.stdout.split('\r\n').filter(Boolean).slice(1).map((row) => row.slice(0, 19));
    expect(times).toEqual([
      '2026-11-27 09:14:02', '2026-11-27 09:20:11', '2026-11-27 09:31:45', '2026-11-27 10:02:19', '2026-11-27 10:05:01', // qradar-export.json
      '2026-11-27 09:14:02', // sysmon-npm-install.ndjson
    ]);
  });

  it('exits 0 with no alert', async () => {
    const r = await runCli(['scan', join(FIX, 'benign.ndjson'), '--format', 'jsonl', '-q']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('bad input and untrusted strings', () => {
  it('reports a bad record with file and line and goes on', async () => {
    const r = await runCli(['scan', join(FIX, 'mixed.ndjson'), '--format', 'jsonl']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad records: 1/);
    expect(r.stderr).toContain('test/fixtures/cli/mixed.ndjson:2');
    const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    // Events on lines 1 and 3 (after the bad line) both alert.
    expect(alerts.map((a) => a.source.line).sort()).toEqual([1, 3]);
  });

  it('never writes raw control or C1 characters to a terminal table', async () => {
    const r = await runCli(['scan', join(FIX, 'mixed.ndjson'), '--format', 'table', '-q']);
    expect(r.stdout).toContain('echo \\u001b[31mRED\\u001b[0m \\u009b2J');
    expect(r.stdout).not.toMatch(/[\u001b\u009b]/);
  });

  it('escapes C1 characters in JSONL while keeping valid JSON', async () => {
    const r = await runCli(['scan', join(FIX, 'mixed.ndjson'), '--format', 'jsonl', '-q']);
    expect(r.stdout).not.toMatch(/[\u001b\u009b]/);
    const alert = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((a) => a.source.line === 3);
    expect(alert.fields.CommandLine).toBe('cmd /c echo \u001b[31mRED\u001b[0m \u009b2J');
  });

  it('rejects bad usage with exit status 2 and a reason', async () => {
    const since = await runCli(['scan', 'samples/', '--since', 'yesterday']);
    expect(since.status).toBe(2);
    expect(since.stderr).toContain("--since: 'yesterday'");
    const rules = await runCli(['scan', 'samples/', '--rules', 'no-such-pack']);
    expect(rules.status).toBe(2);
    expect(rules.stderr).toContain("no rule file, folder or built-in pack named 'no-such-pack'");
    // Arguments are echoed in messages: escaped like any untrusted text.
    const hostile = await runCli(['scan', 'samples/', '--since', '\u001b]0;pwned\u0007']);
    expect(hostile.status).toBe(2);
    expect(hostile.stderr).toContain('\\u001b]0;pwned\\u0007');
    expect(hostile.stderr).not.toMatch(/[\u001b\u0007]/);
    const format = await runCli(['scan', 'samples/', '--format', 'xml']);
    expect(format.status).toBe(2);
  });

  it('loads the good rules of a file and reports the bad one with its position', async () => {
    const r = await runCli(['scan', join(FIX, 'benign.ndjson'), '--rules', join(FIX, 'bad-rule.yml'), '--format', 'jsonl']);
    expect(r.stderr).toMatch(/bad-rule\.yml:6:\d+: .*sometimes/);
    expect(r.status).toBe(1); // the good rule in the same file fires on notepad.exe
    expect(JSON.parse(r.stdout).rule.title).toBe('A good rule in the same file');
  });
});

describe('stdin, dump and replay', () => {
  it('reads stdin with -', async () => {
    const r = await runCli(['scan', '-', '--format', 'csv', '-q'], readFileSync('samples/qradar-export.json', 'utf8'));
    expect(r.status).toBe(1);
    expect(r.stdout.split('\r\n').filter(Boolean)).toHaveLength(6);
  });

  it('dump prints what the rules see, and scanning the dump gives the same alerts', async () => {
    const dump = await runCli(['dump', 'samples/']);
    expect(dump.status).toBe(0);
    const events = dump.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events).toHaveLength(13);
    const first = events[0];
    expect(first.category).toBe('process_creation');
    expect(first.fields.Image).toBe('C:\\Windows\\System32\\cmd.exe');
    expect(first.fields['Process Name']).toBe('C:\\Windows\\System32\\cmd.exe');
    expect(first.source).toEqual({ file: 'samples/qradar-export.json', format: 'qradar-json', record: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'sw-dump-'));
    writeFileSync(join(dir, 'dump.ndjson'), dump.stdout);
    const direct = await runCli(['scan', 'samples/', '--format', 'csv', '-q']);
    const replay = await runCli(['scan', join(dir, 'dump.ndjson'), '--format', 'csv', '-q']);
    expect(replay.stdout).toBe(direct.stdout);
  });
});

describe('worker threads', () => {
  it('apply a --config exactly as one thread does', { timeout: 15_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-par-cfg-'));
    const file = join(dir, 'big.ndjson');
    await writeEvents(file, 40_000);
    const config = join(dir, 'supplywatch.yaml');
    // Hosts WS-0000..WS-0099 are suppressed for seed arm 1; arm 1 is lowered to low elsewhere.
    writeFileSync(config, [
      'suppressions:',
      '  - rule: c3507493-5dd0-401e-bdd7-8e8f4f828464',
      '    host: "WS-00??.corp.example.com"',
      '    expires: 2099-01-01',
      'levels:',
      '  c3507493-5dd0-401e-bdd7-8e8f4f828464: low',
      '',
    ].join('\n'));
    const one = await runCli(['scan', file, '--config', config, '--threads', '1', '--format', 'jsonl', '-q']);
    const two = await runCli(['scan', file, '--config', config, '--threads', '2', '--format', 'jsonl', '-q']);
    expect(one.status).toBe(1);
    expect(two.stdout).toBe(one.stdout);
    const alerts = one.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(alerts.some((a) => /^WS-00\d\d\./.test(a.host) && a.rule.id === 'c3507493-5dd0-401e-bdd7-8e8f4f828464')).toBe(false);
    const arm1 = alerts.filter((a) => a.rule.id === 'c3507493-5dd0-401e-bdd7-8e8f4f828464');
    expect(arm1.length).toBeGreaterThan(100);
    expect(arm1.every((a) => a.rule.level === 'low')).toBe(true);
  });

  it('give byte-identical output to one thread, line numbers included', { timeout: 15_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-par-'));
    const file = join(dir, 'big.ndjson');
    await writeEvents(file, 40_000); // ~50 MB: above the parallel threshold, several ranges
    const one = await runCli(['scan', file, '--threads', '1', '--format', 'jsonl', '-q']);
    const two = await runCli(['scan', file, '--threads', '2', '--format', 'jsonl', '-q']);
    expect(one.status).toBe(1);
    expect(two.stdout).toBe(one.stdout);
    const lines = one.stdout.trim().split('\n').map((l) => JSON.parse(l).source.line as number);
    expect(lines.length).toBeGreaterThan(1000);
    expect(Math.max(...lines)).toBeGreaterThan(35_000);
  });

  it('start by default only for inputs worth their start-up, and say how many scanned and why not more', { timeout: 16_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-par-auto-'));
    const file = join(dir, 'big.ndjson');
    await writeEvents(file, 40_000); // ~50 MB: splittable, but under the default's break-even
    const cores = availableParallelism();
    const auto = await runCli(['scan', file, '--format', 'jsonl']);
    const forced = await runCli(['scan', file, '--threads', '2', '--format', 'jsonl']);
    const stdin = await runCli(['scan', '-', '--threads', '2', '--format', 'jsonl'], readFileSync('samples/sysmon-npm-install.ndjson', 'utf8'));
    expect(forced.stdout).toBe(auto.stdout);
    expect(forced.stderr).toMatch(/^threads: 2$/m);
    if (cores > 1) expect(auto.stderr).toMatch(new RegExp(`^threads: 1 of ${cores}: input under ${(128 * cores) / (cores - 1) >> 0} MiB, where workers cost more than they save$`, 'm'));
    else expect(auto.stderr).toMatch(/^threads: 1$/m);
    expect(stdin.stderr).toMatch(/^threads: 1 of 2: stdin is read on one thread$/m);
  });
});
