/**
 * Real NATS servers for the streaming tests: Debian's nats-server (installed by .ci/run), on
 * loopback, on free ports, each with its own JetStream store under the test file's TMPDIR, and
 * stopped when the test file ends or the test process is stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onStop } from '../helpers/on-stop.js';

export const NATS_SERVER = '/usr/sbin/nats-server';

export interface RunningServer {
  name: string;
  url: string;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
  /** Starts the same server again (same ports, same store). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let forget: (() => void) | undefined;

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  forget ??= onStop(() => {
    for (const c of running) c.kill('SIGKILL');
  });
}

/** Stops every server and worker these helpers started. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => killed(c, 'SIGKILL')));
}

export function killed(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a child tracked for clean-up; resolves once its stderr matched `ready`. */
export function spawnTracked(command: string, args: string[], ready: RegExp, env?: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  track(child);
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${log}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (ready.test(log)) {
        clearTimeout(timer);
        resolve({ child, log: () => log });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${log}`));
    });
  });
}

async function serverProcess(name: string, args: string[]): Promise<RunningServer> {
  if (!existsSync(NATS_SERVER)) throw new Error(`this test needs ${NATS_SERVER} (Debian package nats-server; .ci/run installs it)`);
  let child: ChildProcess;
  const start = async () => {
    ({ child } = await spawnTracked(NATS_SERVER, args, /Server is ready/));
  };
  await start();
  const url = `nats://127.0.0.1:${args[args.indexOf('-p') + 1]}`;
  return {
    name,
    url,
    kill: () => killed(child, 'SIGKILL'),
    restart: start,
    stop: () => killed(child, 'SIGTERM'),
  };
}

/** One JetStream server. `extra`: more nats-server arguments (--user, --pass, …). */
export async function startServer(extra: string[] = []): Promise<RunningServer> {
  const store = mkdtempSync(join(tmpdir(), 'nats-'));
  const port = await freePort();
  return serverProcess('solo', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store, '-n', 'solo', ...extra]);
}

/** A cluster of `size` JetStream servers routed to each other on loopback. */
export async function startCluster(size = 3): Promise<RunningServer[]> {
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort() })));
  const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`).join(',');
  return Promise.all(ports.map((p, i) => {
    const store = mkdtempSync(join(tmpdir(), `nats-${i}-`));
    return serverProcess(`n${i}`, ['-js', '-a', '127.0.0.1', '-p', String(p.client), '-sd', store, '-n', `n${i}`, '--cluster_name', 'sw', '--cluster', `nats://127.0.0.1:${p.route}`, '--routes', routes]);
  }));
}
