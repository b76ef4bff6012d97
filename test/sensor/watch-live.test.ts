import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { parseStatus } from '../../src/sensor/audit/control.js';
import { keysInListing } from '../../src/sensor/audit/rules.js';
import { CLI } from '../helpers/cli.js';
import { freeTcpPort } from '../outputs/rsyslog.js';
import { FIXTURES, readAlerts, readEvents, workspace } from './sensor-cli.js';

/**
 * `supplywatch watch` for real (root, auditd): an install started from another shell — not a
 * child of the sensor, not through any wrapper — is caught; a killed auditd is started again;
 * SIGTERM removes the rules. It holds the machine's audit receiver while it runs: the audit
 * tests of other files wait for it.
 */
const installFrom = (dir: string, pkg = 'npm-postinstall') => {
  const project = join(dir, `project-${Math.random().toString(36).slice(2)}`);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{"name":"p","version":"1.0.0"}\n');
  // A login shell of its own (setsid), as a user's terminal would be. Its status, or the signal that killed it.
  const r = spawnSync('setsid', ['sh', '-c', `exec npm install --offline --no-audit --no-fund ../${pkg} >/dev/null 2>&1`], {
    cwd: project,
    env: { ...process.env, HOME: dir, npm_config_cache: join(dir, '.npm') },
  });
  return r.status ?? r.signal;
};

/**
 * Starts watch; while another file's forced `run --sensor audit` holds the machine's audit
 * receiver, watch says so and exits: it is started again, for up to 3 minutes.
 */
async function startWatch(dir: string, extra: string[] = []) {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const watch = spawn(process.execPath, [CLI, 'watch', '--rules', 'hardened', ...extra], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = createInterface({ input: watch.stderr! });
    const closed = new Promise<number | null>((resolve) => watch.on('close', resolve));
    const started = await new Promise<string | undefined>((resolve) => {
      lines.on('line', (line) => /watching package managers/.test(line) && resolve(line));
      void closed.then(() => resolve(undefined));
    });
    if (started) return { watch, lines, closed, started };
    if (Date.now() > deadline) throw new Error('watch could not take the audit receiver within 3 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
}

const auditStatusNow = () => parseStatus(spawnSync('auditctl', ['-s'], { encoding: 'utf8' }).stdout)!;
const auditdPid = () => auditStatusNow().pid;

describe('supplywatch watch', () => {
  it('catches installs started from another shell, survives its auditd being killed, and removes its rules at SIGTERM', async () => {
    const dir = workspace();
    cpSync(join(FIXTURES, 'npm-postinstall'), join(dir, 'npm-postinstall'), { recursive: true });
    const saved = join(dir, 'events.ndjson');
    const waitTimeBefore = auditStatusNow().backlogWaitTime;
    const { watch, lines, closed, started } = await startWatch(dir, ['--save', saved]);
    let stdout = '';
    let stderr = started + '\n';
    watch.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    lines.on('line', (line) => (stderr += line + '\n'));
    const said = (pattern: RegExp) =>
      new Promise<void>((resolve) => {
        lines.on('line', function listener(line) {
          if (!pattern.test(line)) return;
          lines.off('line', listener);
          resolve();
        });
      });
    try {
      const key = /audit key (\S+);/.exec(started)![1]!;
      const recon = () => readAlerts(stdout).filter((a) => a.rule.title === 'Host Reconnaissance From a Package Install Script');
      const waitFor = async (n: number) => {
        for (let i = 0; i < 200 && recon().length < n; i++) await new Promise((r) => setTimeout(r, 100));
        return recon().length;
      };

      // No process of the machine waits for room in the kernel's backlog while watch runs.
      expect(auditStatusNow().backlogWaitTime).toBe(0);
      expect(installFrom(dir)).toBe(0);
      expect(await waitFor(1)).toBeGreaterThanOrEqual(1);
      expect(recon()[0]!.fields.ParentCommandLine).toMatch(/npm|sh -c/);
      const first = recon().length;

      // Its auditd is killed: watch starts another and goes on.
      const back = said(/the audit receiver is back/);
      process.kill(auditdPid(), 'SIGKILL');
      await back;
      expect(installFrom(dir)).toBe(0);
      expect(await waitFor(first + 1)).toBeGreaterThan(first);

      // Events of processes outside package managers' trees are not reported.
      expect(readAlerts(stdout).every((a) => a.fields.Image !== undefined)).toBe(true);

      watch.kill('SIGTERM');
      expect(await closed).toBe(0);
      expect(stderr).toMatch(/stopped; \d+ events of package managers' trees, \d+ execs and \d+ other calls of other processes dropped.*, \d+ records dropped by the kernel/);
      expect(auditStatusNow().backlogWaitTime).toBe(waitTimeBefore);
      expect(keysInListing(spawnSync('auditctl', ['-l'], { encoding: 'utf8' }).stdout)).not.toContain(key);
      // --save: the events of the installs' trees, and only those (no other process of the machine).
      const events = readEvents(readFileSync(saved, 'utf8'));
      expect(events.filter((e) => e.category === 'process_creation' && e.fields.CommandLine === 'sh -c whoami')).toHaveLength(2);
      expect(events.every((e) => e.service === 'sensor' && e.source.format === 'auditd')).toBe(true);
      // Not the processes this test started outside any package manager (setsid, auditctl). Other
      // package managers of the machine may be there: watch follows every one.
      const images = new Set(events.map((e) => String(e.fields.Image)));
      expect([...images].filter((i) => /\/(setsid|auditctl)$/.test(i))).toEqual([]);
    } finally {
      watch.kill('SIGKILL');
    }
  }, 300_000);

  it('exits 2 and says so when an --output did not take its alerts by the stop', async () => {
    const dir = workspace();
    cpSync(join(FIXTURES, 'npm-postinstall'), join(dir, 'npm-postinstall'), { recursive: true });
    // Nothing listens there: the syslog output queues its alerts and counts them at the stop.
    const port = await freeTcpPort();
    const { watch, closed, lines } = await startWatch(dir, ['--format', 'jsonl', '-o', `jsonl:syslog+tcp://127.0.0.1:${port}`]);
    let stdout = '';
    let stderr = '';
    watch.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    lines.on('line', (line) => (stderr += line + '\n'));
    try {
      expect(installFrom(dir)).toBe(0);
      for (let i = 0; i < 200 && readAlerts(stdout).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      const alerts = readAlerts(stdout).length;
      expect(alerts).toBeGreaterThan(0);
      watch.kill('SIGTERM');
      expect(await closed).toBe(2);
      expect(stderr).toMatch(/supplywatch watch: stopped; /);
      expect(stderr).toMatch(new RegExp(`supplywatch watch: --output jsonl:syslog\\+tcp://127\\.0\\.0\\.1:${port}: \\d+ alerts? not delivered \\(.*ECONNREFUSED`));
    } finally {
      watch.kill('SIGKILL');
    }
  }, 300_000);

  it('--block kills the tree of the package manager an alert at level high came from', async () => {
    const dir = workspace();
    // Its postinstall goes on after the reconnaissance: the kill must come before it ends.
    mkdirSync(join(dir, 'slow-postinstall'));
    writeFileSync(
      join(dir, 'slow-postinstall', 'package.json'),
      JSON.stringify({ name: 'sw-slow-postinstall', version: '1.0.0', scripts: { postinstall: `sh -c whoami; sleep 15; touch ${join(dir, 'after-block.txt')}` } }),
    );
    const { watch, closed, lines } = await startWatch(dir, ['--block']);
    let stderr = '';
    lines.on('line', (line) => (stderr += line + '\n'));
    try {
      // npm itself is killed, after the fact: its postinstall's first step had run, not the rest.
      expect(installFrom(dir, 'slow-postinstall')).toBe('SIGKILL');
      expect(existsSync(join(dir, 'after-block.txt'))).toBe(false);
      watch.kill('SIGTERM');
      expect(await closed).toBe(0);
      expect(stderr).toMatch(/[1-9]\d* processes killed by --block/);
    } finally {
      watch.kill('SIGKILL');
    }
  }, 300_000);
});
