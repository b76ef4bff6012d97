import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { runSupplywatch } from './sensor-cli.js';

/**
 * The seed's four atomic tests under `run` with each driver: the same alerts (hardened pack and
 * hunting leads). Forced drivers: `--sensor audit` waits for the machine-wide audit receiver.
 */
function alertLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => /^ {2}(hardened alerts|hunting leads)/.test(l));
}

async function atomicWith(n: number, sensor: 'audit' | 'strace'): Promise<{ alerts: string[]; stdout: string; status: number | null }> {
  const r = await runSupplywatch(['atomic', 'run', String(n)], REPO, { SUPPLYWATCH_SENSOR: sensor });
  return { alerts: alertLines(r.stdout), stdout: r.stdout, status: r.status };
}

describe('atomic tests: the audit driver gives the strace driver’s alerts', () => {
  it.each([1, 2, 3, 4])('test %i', async (n) => {
    const strace = await atomicWith(n, 'strace');
    const audit = await atomicWith(n, 'audit');
    expect(strace.stdout).toContain('RESULT: DETECTED');
    expect(audit.stdout).toContain('RESULT: DETECTED');
    expect(strace.stdout).toMatch(/^ {2}sensor: strace \(--sensor strace\)$/m);
    expect(audit.stdout).toMatch(/^ {2}sensor: audit \(--sensor audit\)$/m);
    expect(audit.alerts.length).toBeGreaterThan(0);
    expect(audit.alerts).toEqual(strace.alerts);
    expect(audit.status).toBe(0);
  }, 120_000);
});
