import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
