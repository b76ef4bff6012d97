import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAlerts, readEvents, runSupplywatch, workspace } from './sensor-cli.js';

const POISON = "mkdir -p .github/workflows && echo 'on: push' > .github/workflows/ci.yml";

describe('supplywatch run: exit status', () => {
  it('is 0 when the command succeeds without alerts', async () => {
    const r = await runSupplywatch(['run', '--format', 'jsonl', '--', 'sh', '-c', 'echo hello > out.txt'], workspace());
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('command exited with 0');
    expect(r.status).toBe(0);
  });

  it("is the command's own status when it fails without alerts", async () => {
    const r = await runSupplywatch(['run', '--format', 'jsonl', '--', 'sh', '-c', 'exit 3'], workspace());
    expect(r.stderr).toContain('command exited with 3');
    expect(r.status).toBe(3);
  });

  it('is 1 when the command succeeds with alerts, printed as they happen', async () => {
    const r = await runSupplywatch(['run', '--rules', 'seed', '--format', 'jsonl', '--', 'sh', '-c', POISON], workspace());
    expect(readAlerts(r.stdout).map((a) => a.label)).toEqual(['CICDPipelineFileModified']);
    expect(r.stderr).toMatch(/alerts: 1\n/);
    expect(r.status).toBe(1);
  });

  it("is the command's non-zero status even with alerts (the alerts are on stdout and in the summary)", async () => {
    const r = await runSupplywatch(['run', '--rules', 'seed', '--format', 'jsonl', '--', 'sh', '-c', `${POISON}; exit 4`], workspace());
    expect(readAlerts(r.stdout)).toHaveLength(1);
    expect(r.status).toBe(4);
  });

  it('prints a table with --format table and CSV with --format csv', async () => {
    const table = await runSupplywatch(['run', '--rules', 'seed', '--format', 'table', '--', 'sh', '-c', POISON], workspace());
    expect(table.stdout).toContain('CICDPipelineFileModified');
    // The seed's SELECT list has no file path column: the table shows the process.
    expect(table.stdout).toMatch(/ProcessName +\/\S*\/sh\n/);
    const csv = await runSupplywatch(['run', '--rules', 'seed', '--format', 'csv', '--', 'sh', '-c', POISON], workspace());
    expect(csv.stdout.split('\r\n')[0]).toBe('EventTime,Hostname,Username,SourceIP,ProcessName,CommandLine,ParentProcessName,ParentCommandLine,DetectionArm');
    expect(csv.stdout).toContain(',CICDPipelineFileModified');
  });
});

describe('supplywatch run --block', () => {
  it('kills the whole tree on the first high alert, says it acted after the fact and what remains', async () => {
    const dir = workspace('workflow');
    // The script writes ci.yml, then sleeps in a child process and would leave a marker after.
    const r = await runSupplywatch(['run', '--rules', 'seed', '--block', '--format', 'jsonl', '--', 'sh', 'workflow/poison.sh', '20'], dir);
    expect(readAlerts(r.stdout)[0]!.label).toBe('CICDPipelineFileModified');
    expect(r.stderr).toContain('BLOCKED after the fact');
    expect(r.stderr).toMatch(/\d+ process\(es\) of the tree were killed with SIGKILL/);
    expect(r.stderr).toContain('had already happened');
    expect(r.stderr).toContain(join(dir, '.github/workflows/ci.yml'));
    expect(r.stderr).toContain('command killed by SIGKILL');
    // What happened before the kill remains on disk; what came after never happened.
    expect(existsSync(join(dir, '.github/workflows/ci.yml'))).toBe(true);
    expect(existsSync(join(dir, 'after-block.txt'))).toBe(false);
    expect(r.status).toBe(137);
  });

  it('does not block on alerts below high', async () => {
    const dir = workspace();
    const rule = join(dir, 'medium.yml');
    writeFileSync(
      rule,
      ['title: Touch marker', 'id: 0b7d6f3e-2d0f-4f57-9d55-9a1c2b3c4d5e', 'logsource:', '  category: file_event', '  product: linux', 'detection:', '  sel:', "    TargetFilename|endswith: '/marker.txt'", '  condition: sel', 'level: medium', ''].join('\n'),
    );
    const r = await runSupplywatch(['run', '--rules', rule, '--block', '--format', 'jsonl', '--', 'sh', '-c', 'touch marker.txt && touch second.txt'], dir);
    expect(readAlerts(r.stdout).map((a) => a.rule.title)).toEqual(['Touch marker']);
    expect(r.stderr).not.toContain('BLOCKED');
    expect(existsSync(join(dir, 'second.txt'))).toBe(true);
    expect(r.status).toBe(1);
  });
});

describe('supplywatch run: bad input', () => {
  it('says how to install strace when it is missing', async () => {
    const r = await runSupplywatch(['run', '--', 'true'], workspace(), { SUPPLYWATCH_STRACE: '/nonexistent/strace' });
    expect(r.stderr).toContain('strace is not installed');
    expect(r.stderr).toContain('apt-get install strace');
    expect(r.status).toBe(2);
  });

  it('reports a command that does not exist, without starting strace', async () => {
    const r = await runSupplywatch(['run', '--', 'no-such-command-supplywatch'], workspace());
    expect(r.stderr).toContain('command not found: no-such-command-supplywatch');
    expect(r.stderr).not.toContain('fatal');
    expect(r.status).toBe(127);
  });

  it('stops the command, already started while the rules load, when no rule loads', async () => {
    const dir = workspace();
    const rule = join(dir, 'broken.yml');
    writeFileSync(rule, 'title: no detection\nlogsource:\n  category: file_event\n');
    const r = await runSupplywatch(['run', '--rules', rule, '--format', 'jsonl', '--', 'sh', '-c', 'sleep 5; touch after.txt'], dir);
    expect(r.stderr).toContain('rule rejected:');
    expect(r.stderr).toMatch(/no rule could be loaded: the command, already started, was stopped \([1-9]\d* process\(es\) killed with SIGKILL\)/);
    expect(r.stderr).not.toContain('fatal');
    expect(existsSync(join(dir, 'after.txt'))).toBe(false);
    expect(r.status).toBe(2);
  });

  it('needs a command', async () => {
    const r = await runSupplywatch(['run'], workspace());
    expect(r.status).toBe(2);
  });

  it('reports an strace that dies mid-run, keeps what it saw, and exits 2', async () => {
    const dir = workspace();
    const save = join(dir, 'events.ndjson');
    // The command's parent is strace: it kills its tracer, then tries to go on.
    const r = await runSupplywatch(['run', '--format', 'jsonl', '--save', save, '--', 'sh', '-c', 'touch before.txt; kill -9 $PPID; sleep 1; touch after.txt'], dir);
    expect(r.stderr).toContain('strace was killed by SIGKILL before the command finished');
    expect(r.stderr).not.toContain('fatal');
    const events = readEvents(readFileSync(save, 'utf8'));
    expect(events.some((e) => e.fields.TargetFilename === join(dir, 'before.txt'))).toBe(true);
    expect(events.some((e) => e.fields.TargetFilename === join(dir, 'after.txt'))).toBe(false);
    expect(r.status).toBe(2);
  });
});

describe('supplywatch run: the rule cache', () => {
  it('loads the rules through the cache (written on the first run, the same alerts on the next), and leaves it alone with --no-cache', async () => {
    const dir = workspace();
    const args = ['run', '--rules', 'seed', '--format', 'jsonl', '--', 'sh', '-c', POISON];
    const cacheFiles = (home: string) => (existsSync(join(home, 'supplywatch')) ? readdirSync(join(home, 'supplywatch')).filter((f) => f.startsWith('rules-')) : []);
    const home = join(dir, 'cache');
    const cold = await runSupplywatch(args, dir, { XDG_CACHE_HOME: home });
    expect(cacheFiles(home)).toHaveLength(1);
    const warm = await runSupplywatch(args, dir, { XDG_CACHE_HOME: home });
    expect(readAlerts(warm.stdout).map((a) => a.label)).toEqual(readAlerts(cold.stdout).map((a) => a.label));
    expect(readAlerts(warm.stdout).map((a) => a.label)).toEqual(['CICDPipelineFileModified']);
    const untouched = join(dir, 'cache-none');
    const none = await runSupplywatch(['run', '--no-cache', ...args.slice(1)], dir, { XDG_CACHE_HOME: untouched });
    expect(readAlerts(none.stdout).map((a) => a.label)).toEqual(['CICDPipelineFileModified']);
    expect(cacheFiles(untouched)).toEqual([]);
  }, 60_000);
});
