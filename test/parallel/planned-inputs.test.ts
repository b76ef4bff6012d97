import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILE_COST_BYTES } from '../../src/parallel/threads.js';
import { REPO, runCli } from '../helpers/cli.js';

/**
 * A scan with threads to spare plans its tasks (walking the folders) to decide how many threads
 * to use; decided on one, it reads the inputs the plan found instead of walking again
 * (parallel/threads.ts). What it reads, reports and exits with must be what `--threads 1`,
 * which plans nothing, gives.
 */
function awkwardFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sw-planned-'));
  copyFileSync(join(REPO, 'samples', 'sysmon-npm-install.ndjson'), join(dir, 'a.ndjson'));
  mkdirSync(join(dir, 'nested'));
  copyFileSync(join(REPO, 'samples', 'qradar-export.json'), join(dir, 'nested', 'export.json'));
  writeFileSync(join(dir, 'nested', 'notes.txt'), 'not telemetry\n');
  writeFileSync(join(dir, 'empty.log'), '');
  writeFileSync(join(dir, 'logs.gz'), 'compressed');
  writeFileSync(join(dir, 'bad.ndjson'), '{"EventID": 1, "Image": "C:\\\\x.exe"}\n{"EventID": 1, "Image": trunc\n');
  symlinkSync(join(dir, 'a.ndjson'), join(dir, 'z-again.ndjson')); // a file read already, through a link
  symlinkSync(dir, join(dir, 'nested', 'loop')); // a folder loop
  symlinkSync(join(dir, 'missing.ndjson'), join(dir, 'dangling.ndjson'));
  return dir;
}

/** The summary without what varies between runs (time, memory) and what differs by design (the threads line). */
const stable = (stderr: string) => stderr.split('\n').filter((line) => !/^(elapsed|peak memory|threads):/.test(line));

describe('a scan decided on one thread after planning', () => {
  it('reads, reports and exits as --threads 1 does, for a folder with every kind of awkward entry', async () => {
    const dir = awkwardFolder();
    const args = ['scan', dir, 'samples/sysmon-npm-install.ndjson', '--rules', 'seed', '--format', 'jsonl'];
    const [planned, one] = await Promise.all([runCli([...args, '--threads', '2']), runCli([...args, '--threads', '1'])]);
    // The planning path was taken: two threads were allowed and one decided.
    expect(planned.stderr).toMatch(/^threads: 1 of 2: /m);
    expect(one.stderr).toMatch(/^threads: 1$/m);
    expect(planned.stdout).toBe(one.stdout);
    expect(planned.stdout.split('\n').length).toBeGreaterThan(2);
    expect(stable(planned.stderr)).toEqual(stable(one.stderr));
    expect(planned.stderr).toContain('logs.gz');
    expect(planned.stderr).toContain('dangling.ndjson');
    expect(planned.status).toBe(one.status);
  });
});

/**
 * Enough files that their work (each counted as FILE_COST_BYTES) passes the default break-even
 * of any core count (256 MiB on two cores, less on more): the scan plans two threads or more.
 */
function manyFiles(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sw-enriching-'));
  const files = Math.ceil((260 * 2 ** 20) / FILE_COST_BYTES);
  for (let i = 0; i < files; i++) copyFileSync(join(REPO, 'samples', 'sysmon-npm-install.ndjson'), join(dir, `install-${String(i).padStart(5, '0')}.ndjson`));
  return dir;
}

describe('the default thread count once the rules are loaded', () => {
  it('an enriching pack goes back to one thread, with the alerts of --threads 1; a pack without enrichment keeps the threads', async () => {
    const dir = manyFiles();
    const args = ['scan', dir, '--format', 'jsonl'];
    const [hardened, one, seed] = await Promise.all([
      runCli([...args, '--rules', 'hardened']),
      runCli([...args, '--rules', 'hardened', '--threads', '1']),
      runCli([...args, '--rules', 'seed']),
    ]);
    const cores = availableParallelism();
    if (cores < 2) {
      expect(hardened.stderr).toMatch(/^threads: 1$/m);
      expect(seed.stderr).toMatch(/^threads: 1$/m);
    } else {
      expect(hardened.stderr).toMatch(new RegExp(`^threads: 1 of ${cores}: the rules read enriched fields`, 'm'));
      expect(seed.stderr).toMatch(new RegExp(`^threads: ${cores}$`, 'm'));
    }
    expect(hardened.stdout.split('\n').length).toBeGreaterThan(2);
    expect(hardened.stdout).toBe(one.stdout);
    expect(stable(hardened.stderr)).toEqual(stable(one.stderr));
  }, 120_000);
});
