import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { workspaceOf } from '../../src/atomic/workspace.js';
import { runCli } from '../helpers/cli.js';

/**
 * The atomic tests run for real under `supplywatch run` (strace) on this machine: each of the
 * four must be detected by the hardened pack at medium or above, its behaviour must have run,
 * and its workspace must be gone after it.
 */
const argusFilesInTmp = () => readdirSync(tmpdir()).filter((n) => n.startsWith('argus'));
const before = argusFilesInTmp();
const scratch = mkdtempSync(join(tmpdir(), 'sw-atomic-test-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  for (const n of [1, 2, 3, 4]) rmSync(workspaceOf(n).root, { recursive: true, force: true });
});

describe('supplywatch atomic run', () => {
  it.each([1, 2, 3, 4])('test %i fires the hardened pack at medium or above, and cleans up after itself', async (n) => {
    const r = await runCli(['atomic', 'run', String(n)]);
    expect(r.stdout).toContain('RESULT: DETECTED');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/hardened alerts at medium or above: (MEDIUM|HIGH|CRITICAL) /);
    expect(r.stdout).toMatch(/evidence the behaviour ran: \S/);
    expect(existsSync(workspaceOf(n).root)).toBe(false);
  }, 60_000);

  it('test 4 reaches the loopback registry and installs from it', async () => {
    const r = await runCli(['atomic', 'run', '4']);
    expect(r.stdout).toMatch(/loopback registry http:\/\/127\.0\.0\.1:\d+: 2 requests \(GET \/argus-registry-test, GET \/argus-registry-test\/-\/argus-registry-test-1\.0\.0\.tgz\)/);
    expect(r.stdout).toContain('Package Manager Pointed at an Insecure or Unknown Registry');
  }, 60_000);

  it.each([1, 2])('test %i is detected as install-script reconnaissance, after its behaviour ran', async (n) => {
    const r = await runCli(['atomic', 'run', String(n)]);
    expect(r.stdout).toMatch(n === 1 ? /evidence the behaviour ran: tmp\/argus-npm-test\.txt/ : /evidence the behaviour ran: tmp\/argus-pip-test\.txt/);
    expect(r.stdout).toMatch(/hardened alerts at medium or above: HIGH Host Reconnaissance From a Package Install Script/);
    expect(r.status).toBe(0);
    expect(existsSync(workspaceOf(n).root)).toBe(false);
    // The hunting pack's leads are named, never counted as the detection.
    expect(r.stdout).toContain('hunting leads (not counted): ');
    expect(r.stdout).toMatch(/LOW Install Lifecycle Script Spawned an Interpreter/);
  }, 60_000);

  it('test 4 still runs when port 4873 is taken: the registry moves to a free port', async () => {
    const blocker = createServer();
    const taken = await new Promise<boolean>((resolve) => {
      blocker.once('error', () => resolve(false));
      blocker.listen(4873, '127.0.0.1', () => resolve(true));
    });
    try {
      const r = await runCli(['atomic', 'run', '4']);
      expect(r.stdout).toMatch(/loopback registry http:\/\/127\.0\.0\.1:(\d+)/);
      // Held by this test or by someone else: either way not the one the registry got.
      expect(r.stdout).not.toContain('loopback registry http://127.0.0.1:4873:');
      expect(r.stdout).toContain('RESULT: DETECTED');
    } finally {
      if (taken) await new Promise((done) => blocker.close(done));
    }
  }, 60_000);

  it('--keep leaves the workspace; cleanup removes everything the run created, and says when there is nothing', async () => {
    const ws = workspaceOf(1);
    const kept = await runCli(['atomic', 'run', '1', '--keep']);
    expect(kept.stdout).toContain(`workspace kept: ${ws.root}`);
    expect(existsSync(join(ws.tmp, 'argus-npm-test.txt'))).toBe(true);
    expect(existsSync(join(ws.root, 'events.ndjson'))).toBe(true);
    const clean = await runCli(['atomic', 'cleanup', '1']);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toMatch(/^removed .*test-1 \(.*events\.ndjson.*\)/);
    expect(existsSync(ws.root)).toBe(false);
    expect((await runCli(['atomic', 'cleanup', '1'])).stdout).toMatch(/^nothing to clean/);
    // Not even the shared parent folder stays behind once no workspace is left in it.
    expect(existsSync(dirname(ws.root))).toBe(false);
    // Nothing was left in the shared temp directory either (the payloads wrote into the workspace).
    expect(argusFilesInTmp()).toEqual(before);
  }, 60_000);

  it('an unknown test number is a usage error', async () => {
    const r = await runCli(['atomic', 'run', '9']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no atomic test '9'");
  });
});

describe('supplywatch atomic verify', () => {
  it('finds test 3 in the events a run saved, and says when an export holds no event of the test', async () => {
    await runCli(['atomic', 'run', '3', '--keep']);
    const events = join(workspaceOf(3).root, 'events.ndjson');
    const ok = await runCli(['atomic', 'verify', '3', events]);
    expect(ok.stdout).toMatch(/events, [1-9]\d* of them from the test/);
    expect(ok.stdout).toContain('RESULT: DETECTED');
    expect(ok.status).toBe(0);
    const other = await runCli(['atomic', 'verify', '4', events]);
    expect(other.stdout).toContain('RESULT: NOT SEEN');
    expect(other.status).toBe(2);
    await runCli(['atomic', 'cleanup', '3']);
  }, 60_000);

  it('on a Windows Sysmon export of test 1 (npm.cmd → cmd.exe whoami): the seed arm fires; the verdict on the hardened pack matches its alerts', async () => {
    const export1 = join(scratch, 'windows-test1.ndjson');
    const base = { Channel: 'Microsoft-Windows-Sysmon/Operational', Provider_Name: 'Microsoft-Windows-Sysmon', Computer: 'WIN-TEST-01', User: 'LAB\\tester' };
    writeFileSync(
      export1,
      [
        { ...base, EventID: 1, UtcTime: '2026-12-07 08:00:00.000', ProcessId: 4100, ParentProcessId: 4000, Image: 'C:\\Program Files\\nodejs\\node.exe', CommandLine: '"C:\\Program Files\\nodejs\\node.exe" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" install --no-audit --no-fund --offline', ParentImage: 'C:\\Program Files\\nodejs\\npm.cmd' },
        { ...base, EventID: 1, UtcTime: '2026-12-07 08:00:01.000', ProcessId: 4200, ParentProcessId: 4100, Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'C:\\Windows\\system32\\cmd.exe /d /s /c "whoami > %TEMP%\\argus-npm-test.txt"', ParentImage: 'C:\\Program Files\\nodejs\\npm.cmd', ParentCommandLine: 'npm install' },
        { ...base, EventID: 11, UtcTime: '2026-12-07 08:00:01.200', ProcessId: 4200, Image: 'C:\\Windows\\System32\\cmd.exe', TargetFilename: 'C:\\Users\\tester\\AppData\\Local\\Temp\\argus-npm-test.txt' },
      ].map((e) => JSON.stringify(e)).join('\n') + '\n',
    );
    const r = await runCli(['atomic', 'verify', '1', export1]);
    expect(r.stdout).toContain('3 events, 2 of them from the test');
    expect(r.stdout).toMatch(/seed pack on the test's events: .*Package Manager Spawned Suspicious Child/);
    const none = r.stdout.includes('hardened alerts at medium or above: none');
    expect(r.status).toBe(none ? 1 : 0);
  }, 60_000);
});

describe('supplywatch atomic list and show', () => {
  it('lists the four tests and prints the Windows commands with the expected events', async () => {
    const list = await runCli(['atomic', 'list']);
    expect(list.stdout.match(/^\d\. /gm)).toEqual(['1. ', '2. ', '3. ', '4. ']);
    const show = await runCli(['atomic', 'show', '4']);
    expect(show.stdout).toContain('npm install --registry http://127.0.0.1:4873');
    expect(show.stdout).toContain('DestinationPort=4873');
    expect(show.stdout).toContain('Cleanup:');
  });
});
