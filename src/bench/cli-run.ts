import { spawnSync } from 'node:child_process';

/** One timed CLI run and the figures its stderr summary reports. */
export interface CliRun {
  events: number;
  seconds: number;
  peakMb: number;
  alerts: number;
}

/** Runs the built CLI with stdout discarded; wall time includes start-up and rule loading. `env`: variables set over the bench's own. */
export function runCliTimed(cliPath: string, args: string[], env?: Record<string, string>): CliRun {
  const started = performance.now();
  const result = spawnSync(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20, ...(env ? { env: { ...process.env, ...env } } : {}) });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${args[0]} failed (${result.status}): ${result.stderr}`);
  const number = (re: RegExp) => Number(re.exec(result.stderr)?.[1] ?? NaN);
  return { events: number(/events read: (\d+)/), seconds, peakMb: number(/peak memory: (\d+) MB/), alerts: number(/alerts: (\d+)/) };
}
