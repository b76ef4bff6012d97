import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { DIRTY_PATH, LOCK_PATH, takeLock } from '../../src/sensor/audit/janitor.js';
import { keysInListing } from '../../src/sensor/audit/rules.js';
import { launchAudit } from '../../src/sensor/audit/session.js';
import { CLI } from '../helpers/cli.js';
import { readAlerts, runSupplywatch, workspace } from './sensor-cli.js';

/**
 * `run` with the audit driver, for real (root, auditd installed: CI on this machine). Runs that
 * force `--sensor audit` wait for the one machine-wide audit receiver, so files running at the
 * same time take turns.
 */
const AUDIT = { SUPPLYWATCH_SENSOR: 'audit' };
const POISON = "mkdir -p .github/workflows && echo 'on: push' > .github/workflows/ci.yml";

const runKeys = () => keysInListing(spawnSync('auditctl', ['-l'], { encoding: 'utf8' }).stdout).filter((k) => k.startsWith('supplywatch-run-'));

/** Starts `supplywatch run` in its own process group, as a terminal would; resolves with its key once its rules are loaded. */
function startDetached(args: string[], cwd: string): { child: ChildProcess; key: Promise<string>; done: Promise<{ status: number | null; signal: string | null; stderr: string }> } {
  const earlier = new Set(runKeys()); // a previous run's, while its janitor removes them
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...AUDIT }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ status: number | null; signal: string | null; stderr: string }>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stderr })));
  const key = (async () => {
    for (;;) {
      const fresh = runKeys().filter((k) => !earlier.has(k));
      if (fresh.length === 1) return fresh[0]!;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { child, key, done };
}

/** The janitor removes a run's rules just after the run (a fraction of a second), or after the sensor died. */
async function gone(key: string, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!runKeys().includes(key)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('supplywatch run --sensor audit', () => {
  it('detects as the strace driver does and says which sensor ran and why', async () => {
    const r = await runSupplywatch(['run', '--sensor', 'audit', '--rules', 'seed', '--format', 'jsonl', '--', 'sh', '-c', POISON], workspace());
    expect(readAlerts(r.stdout).map((a) => a.label)).toEqual(['CICDPipelineFileModified']);
    expect(r.stderr).toContain('sensor: audit (--sensor audit)');
    expect(r.stderr).toContain('command exited with 0');
    expect(r.status).toBe(1);
  }, 60_000);

  it("leaves no rule when the command fails, and passes on its status", async () => {
    const run = startDetached(['run', '--format', 'jsonl', '--', 'sh', '-c', 'sleep 0.5; exit 3'], workspace());
    const key = await run.key;
    const end = await run.done;
    expect(end.stderr).toContain('command exited with 3');
    expect(end.status).toBe(3);
    expect(await gone(key)).toBe(true);
  }, 60_000);

  it('leaves no rule when the command is killed', async () => {
    const run = startDetached(['run', '--format', 'jsonl', '--', 'sh', '-c', 'sleep 0.5; kill -9 $$'], workspace());
    const key = await run.key;
    const end = await run.done;
    expect(end.stderr).toContain('command killed by SIGKILL');
    expect(end.status).toBe(137);
    expect(await gone(key)).toBe(true);
  }, 60_000);

  it('leaves no rule after Ctrl-C (SIGINT to the whole process group)', async () => {
    const run = startDetached(['run', '--format', 'jsonl', '--', 'sleep', '30'], workspace());
    const key = await run.key;
    process.kill(-run.child.pid!, 'SIGINT');
    const end = await run.done;
    expect(end.stderr).toContain('command killed by SIGINT');
    expect(end.status).toBe(130);
    expect(await gone(key)).toBe(true);
  }, 60_000);

  it('leaves no rule after SIGTERM to the sensor: it reports the command, which goes on to its end', async () => {
    const run = startDetached(['run', '--format', 'jsonl', '--', 'sh', '-c', 'sleep 1; echo done > after.txt'], workspace());
    const key = await run.key;
    run.child.kill('SIGTERM');
    const end = await run.done;
    expect(end.stderr).toContain('command exited with 0');
    expect(end.stderr).toMatch(/events: \d+ \(.*file_event 1/);
    expect(await gone(key)).toBe(true);
  }, 60_000);

  it('leaves no rule when the sensor itself is killed (SIGKILL): its janitor removes them and stops the unwatched command', async () => {
    const dir = workspace();
    const run = startDetached(['run', '--format', 'jsonl', '--', 'sh', '-c', 'sleep 3; echo late > after.txt'], dir);
    const key = await run.key;
    run.child.kill('SIGKILL');
    await run.done;
    expect(await gone(key)).toBe(true);
    // The command was killed: nothing watched it any more.
    await new Promise((r) => setTimeout(r, 3_500));
    expect(existsSync(join(dir, 'after.txt'))).toBe(false);
  }, 60_000);

  it('never runs the command when an option is wrong (checked while the driver starts), and leaves no rule', async () => {
    const dir = workspace();
    const earlier = new Set(runKeys());
    const r = await runSupplywatch(['run', '--sensor', 'audit', '--now', 'not-a-time', '--', 'sh', '-c', 'echo ran > ran.txt'], dir);
    expect(r.stderr).toContain("--now: 'not-a-time' is not a timestamp");
    expect(r.status).toBe(2);
    expect(existsSync(join(dir, 'ran.txt'))).toBe(false);
    // The driver's rules, if it had loaded them, are removed before the sensor exits.
    expect(runKeys().filter((k) => !earlier.has(k))).toEqual([]);
    const again = await runSupplywatch(['run', '--sensor', 'audit', '--format', 'jsonl', '--', 'sh', '-c', 'echo ran > ran.txt'], dir);
    expect(again.stderr).toContain('sensor: audit (--sensor audit)');
    expect(existsSync(join(dir, 'ran.txt'))).toBe(true);
  }, 60_000);

  it('--block kills the whole tree (found by its audit session) and leaves no rule', async () => {
    const dir = workspace('workflow');
    const r = await runSupplywatch(['run', '--sensor', 'audit', '--rules', 'seed', '--block', '--format', 'jsonl', '--', 'sh', 'workflow/poison.sh', '20'], dir);
    expect(readAlerts(r.stdout)[0]!.label).toBe('CICDPipelineFileModified');
    expect(r.stderr).toContain('BLOCKED after the fact');
    expect(r.stderr).toContain('command killed by SIGKILL');
    expect(existsSync(join(dir, 'after-block.txt'))).toBe(false);
    expect(r.status).toBe(137);
  }, 60_000);
});

describe('the audit driver, a command killed while it is held', () => {
  it('reports the kill; letting it go then is not an error (Ctrl-C reaches the held shell too)', async () => {
    const run = await launchAudit(['sleep', '30'], { waitSeconds: 600, owner: 'test' });
    // Writing `go` to a shell that is gone, before node has seen it exit, fails with EPIPE: an
    // unhandled 'error' crashed the sensor. The event loop is held (spawnSync) until it is dead.
    const unhandled: unknown[] = [];
    const record = (err: unknown) => unhandled.push(err);
    process.on('uncaughtException', record);
    try {
      process.kill(run.rootPid, 'SIGINT');
      spawnSync('sh', ['-c', `while [ "$(cut -d' ' -f3 /proc/${run.rootPid}/stat)" != Z ]; do sleep 0.01; done`]);
      run.go();
      expect(await run.exited).toEqual({ code: null, signal: 'SIGINT' });
      await new Promise((r) => setTimeout(r, 200));
      const ending = await run.cleanup();
      expect(ending.complete).toBe(true);
    } finally {
      process.off('uncaughtException', record);
    }
    expect(unhandled).toEqual([]);
    expect(await gone(run.key)).toBe(true);
  }, 60_000);
});

describe('supplywatch run --sensor audit after a janitor died', () => {
  it('removes the rules it left before loading its own', async () => {
    // What a sensor and its janitor, both killed, leave: a rule keyed supplywatch-*, and the dirty mark.
    const stale = 'supplywatch-run-deadbeef00';
    const left = spawnSync('flock', [LOCK_PATH, 'sh', '-c', `touch ${DIRTY_PATH} && auditctl -a always,exit -F arch=b64 -S mknodat -F sessionid=4294967294 -k ${stale}`], { encoding: 'utf8' });
    expect(left.status, left.stderr).toBe(0);
    expect(runKeys()).toContain(stale);
    const r = await runSupplywatch(['run', '--sensor', 'audit', '--format', 'jsonl', '--', 'true'], workspace());
    expect(r.stderr).toContain('sensor: audit');
    expect(runKeys()).not.toContain(stale);
  }, 60_000);
});

describe('supplywatch run: choosing the sensor', () => {
  it('falls back to strace, saying why, when another sensor holds the audit receiver', async () => {
    // Holds the machine-wide lock as a sensor would (waiting for its turn like one).
    const holder = spawn('flock', [LOCK_PATH, 'sh', '-c', 'echo held; sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((resolve) => createInterface({ input: holder.stdout! }).once('line', () => resolve()));
      const r = await runSupplywatch(['run', '--format', 'jsonl', '--', 'true'], workspace(), { SUPPLYWATCH_SENSOR: 'auto' });
      expect(r.stderr).toMatch(/sensor: strace \(the audit receiver is in use by (another supplywatch sensor|supplywatch \w+ \(pid \d+\))\)/);
      expect(r.status).toBe(0);
    } finally {
      holder.kill();
    }
  }, 120_000);

  it('forced with --sensor strace, says so', async () => {
    const r = await runSupplywatch(['run', '--sensor', 'strace', '--format', 'jsonl', '--', 'true'], workspace(), { SUPPLYWATCH_SENSOR: 'auto' });
    expect(r.stderr).toContain('sensor: strace (--sensor strace)');
  }, 60_000);

  it('rejects an unknown sensor as a usage error', async () => {
    const r = await runSupplywatch(['run', '--sensor', 'ebpf', '--', 'true'], workspace());
    expect(r.stderr).toContain('--sensor must be one of auto, audit, strace');
    expect(r.status).toBe(2);
  });
});

describe('the janitor', () => {
  it('removes a receiver folder whose path holds spaces, whole, and nothing beside it', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'sw-janitor-'));
    const cut = join(parent, 'my');
    const folder = join(parent, 'my dir', 'supplywatch-audit-x');
    mkdirSync(cut);
    mkdirSync(folder, { recursive: true });
    // The machine-wide lock, as a sensor takes it: waits for any other sensor or janitor.
    const janitor = await takeLock(60, 'test');
    expect(janitor).toBeDefined();
    janitor!.tell(`dir ${folder}`);
    await janitor!.finish();
    expect(existsSync(folder)).toBe(false);
    expect(existsSync(cut)).toBe(true);
  }, 90_000);
});
