import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI (npm test builds first); end-to-end tests run it as users do. */
export const CLI = fileURLToPath(new URL('../../dist/bin/supplywatch.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `env`: variables set for the command, over the test's own. */
export function runCli(args: string[], input?: string, env?: Record<string, string>): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' (npm test does it)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.end(input ?? '');
  });
}

/** Shared data lives beside the repo; tests that need it fail loudly when it is absent. */
export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));

export function requireShared(sub: string): string {
  const path = SHARED + sub;
  if (!existsSync(path)) {
    throw new Error(`this test needs ${path} (the shared corpus beside the repository, see README "Test data"); it is absent`);
  }
  return path;
}
