import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerializedEvent } from '../../src/events/event.js';
import { CLI, REPO } from '../helpers/cli.js';

export const FIXTURES = join(REPO, 'test', 'fixtures', 'sensor');

export interface SensorResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as users do, in `cwd` with extra environment variables. */
export function runSupplywatch(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<SensorResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' (npm test does it)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** A fresh temporary folder, with a copy of a fixture in it when asked. */
export function workspace(fixture?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sw-sensor-'));
  if (fixture) cpSync(join(FIXTURES, fixture), join(dir, fixture), { recursive: true });
  return dir;
}

export function readEvents(ndjson: string): SerializedEvent[] {
  return ndjson.split('\n').filter(Boolean).map((line) => JSON.parse(line) as SerializedEvent);
}

export interface AlertRecord {
  rule: { id?: string; title: string; level?: string };
  label?: string;
  fields: Record<string, unknown>;
  category?: string;
  time?: string;
}

export function readAlerts(jsonl: string): AlertRecord[] {
  return jsonl.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AlertRecord);
}

/** The process_creation events as `Image ← ParentImage: CommandLine` for readable failures. */
export function processes(events: SerializedEvent[]) {
  return events.filter((e) => e.category === 'process_creation').map((e) => e.fields as Record<string, string | number>);
}
