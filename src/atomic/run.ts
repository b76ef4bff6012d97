/**
 * Runs an atomic test under `supplywatch run` (the strace sensor) and says whether the hardened
 * pack fired at medium or above; or checks an exported telemetry file for it (`verify`). The
 * CLI is run as a child process, as a user would run it: this is the end-to-end check.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseAlertLine, type AlertLine } from '../response/alert-line.js';
import type { AtomicTest, Tools } from './tests.js';
import { createWorkspace, removeWorkspace, workspaceEnv, workspaceOf } from './workspace.js';

/** The pack an atomic test must fire, and the lowest level that counts. */
export const DETECTING_PACK = 'hardened';
/** Run beside it so a report can name the leads a test leaves below the alerting pack. */
const LEAD_PACK = 'hunting';
const COUNTING_LEVELS = new Set(['medium', 'high', 'critical']);

export interface AtomicRunResult {
  /** Evidence files the test's behaviour created (relative to the workspace), found / missing. */
  evidence: { found: string[]; missing: string[] };
  /** Exit status of the traced command (pip's may fail after its setup.py ran: that is the test). */
  commandStatus: number | null;
  /** Hardened alerts at medium or above, and below. */
  fired: AlertLine[];
  below: AlertLine[];
  /** Hunting-pack leads (never counted as detection). */
  leads: AlertLine[];
  notes: string[];
  /** `supplywatch run`'s summary (stderr). */
  summary: string;
  workspace: string;
  kept: boolean;
}

/** The package managers, resolved before HOME changes (pyenv shims read $HOME/.pyenv). */
export function findTools(): Tools | string {
  const which = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  const npm = which('npm');
  if (!npm) return 'npm is not on PATH';
  const py = spawnSync(which('python3') || 'python3', ['-c', 'import sys, pip; print(sys.executable)'], { encoding: 'utf8' });
  if (py.status !== 0) return 'python3 with pip is not available';
  return { npm, python: py.stdout.trim() };
}

export async function runAtomic(test: AtomicTest, opts: { cli: string; keep?: boolean; tools: Tools; base?: string }): Promise<AtomicRunResult> {
  const ws = workspaceOf(test.number, opts.base);
  createWorkspace(ws);
  const prepared = await test.prepare(ws, opts.tools);
  const fired: AlertLine[] = [];
  const below: AlertLine[] = [];
  const leads: AlertLine[] = [];
  let summary = '';
  let commandStatus: number | null = null;
  try {
    const args = [opts.cli, 'run', '-r', DETECTING_PACK, '-r', LEAD_PACK, '-f', 'jsonl', '--save', join(ws.root, 'events.ndjson'), '--', ...prepared.command];
    const child = spawn(process.execPath, args, { cwd: ws.work, env: workspaceEnv(ws), stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // The traced command shares stdout with the alerts: only lines that are alerts are taken.
    for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
      if (!line.startsWith('{"rule":')) continue;
      const alert = parseAlertLine(line);
      if (typeof alert === 'string') continue;
      if (packOf(line) !== DETECTING_PACK) leads.push(alert);
      else (COUNTING_LEVELS.has(alert.rule.level ?? '') ? fired : below).push(alert);
    }
    await closed;
    summary = Buffer.concat(stderr).toString('utf8');
    const status = /^command exited with (\d+)/m.exec(summary.replace(/^outcome: /m, ''));
    commandStatus = status ? Number(status[1]) : null;
  } finally {
    await prepared.stop();
  }
  const found = prepared.evidence.filter((e) => existsSync(join(ws.root, e)));
  const result: AtomicRunResult = {
    evidence: { found, missing: prepared.evidence.filter((e) => !found.includes(e)) },
    commandStatus, fired, below, leads, notes: prepared.notes(), summary, workspace: ws.root, kept: opts.keep === true,
  };
  if (!opts.keep) removeWorkspace(ws);
  return result;
}

export interface VerifyResult {
  /** Events of the export that carry the test's marker (the pipeline saw the test). */
  testEvents: number;
  events: number;
  fired: AlertLine[];
  below: AlertLine[];
  /** Seed-pack alerts on the test's events, for comparison. */
  seed: AlertLine[];
  stderr: string;
}

/** Scans an exported telemetry file with the hardened (and seed) pack for test N's events. */
export async function verifyAtomic(test: AtomicTest, file: string, cli: string): Promise<VerifyResult> {
  const result: VerifyResult = { testEvents: 0, events: 0, fired: [], below: [], seed: [], stderr: '' };
  const dump = await lines(cli, ['dump', '-q', file], (line) => {
    result.events += 1;
    const fields = (JSON.parse(line) as { fields?: unknown }).fields;
    if (test.marker.test(JSON.stringify(fields ?? {}))) result.testEvents += 1;
  });
  const scan = await lines(cli, ['scan', '-r', DETECTING_PACK, '-r', 'seed', '-f', 'jsonl', '-q', file], (line) => {
    const alert = parseAlertLine(line);
    if (typeof alert === 'string' || !test.marker.test(JSON.stringify(alert.fields))) return;
    if (packOf(line) === 'seed') result.seed.push(alert);
    else (COUNTING_LEVELS.has(alert.rule.level ?? '') ? result.fired : result.below).push(alert);
  });
  result.stderr = dump + scan;
  return result;
}

function packOf(line: string): string | undefined {
  return (JSON.parse(line) as { pack?: string }).pack;
}

/** Runs the CLI and hands each stdout line over as it comes (never the whole output); returns stderr. */
async function lines(cli: string, args: string[], each: (line: string) => void): Promise<string> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d));
  const closed = new Promise((resolve) => child.on('close', resolve));
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) if (line.trim()) each(line);
  await closed;
  return Buffer.concat(stderr).toString('utf8');
}
