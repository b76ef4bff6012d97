/**
 * Where an atomic test runs and everything it creates: one folder per test under the temp
 * directory, `supplywatch-atomic/test-N/`, with the traced command's HOME, TMPDIR, working
 * folder, package caches and saved events inside it. Removing that folder is the whole cleanup,
 * so `atomic cleanup N` works after a run that was kept or interrupted.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Workspace {
  root: string;
  home: string;
  tmp: string;
  work: string;
}

export function workspaceOf(n: number, base = join(tmpdir(), 'supplywatch-atomic')): Workspace {
  const root = join(base, `test-${n}`);
  return { root, home: join(root, 'home'), tmp: join(root, 'tmp'), work: join(root, 'work') };
}

/** A fresh workspace (a previous run's is removed first). */
export function createWorkspace(ws: Workspace): void {
  removeWorkspace(ws);
  for (const dir of [ws.home, ws.tmp, ws.work]) mkdirSync(dir, { recursive: true });
}

/** Removes the workspace; returns the top-level entries removed ([] when there was none). */
export function removeWorkspace(ws: Workspace): string[] {
  if (!existsSync(ws.root)) return [];
  const entries = readdirSync(ws.root);
  rmSync(ws.root, { recursive: true, force: true });
  // The shared parent folder goes with the last test's workspace (rmdir refuses while others remain).
  try {
    rmdirSync(dirname(ws.root));
  } catch {
    // another test's workspace is still there
  }
  return entries;
}

/**
 * The traced command's environment: its HOME and TMPDIR are the workspace's, so npm's cache and
 * logs, pip's temporary build folders and the payloads' files land there, not in the user's; the
 * machine's pip configuration (extra indexes) is not read.
 */
export function workspaceEnv(ws: Workspace, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    PATH: base.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: base.LANG ?? 'C.UTF-8',
    HOME: ws.home,
    TMPDIR: ws.tmp,
    npm_config_cache: join(ws.home, '.npm'),
    npm_config_update_notifier: 'false',
    npm_config_logs_max: '0',
    PIP_CONFIG_FILE: '/dev/null',
    PIP_NO_CACHE_DIR: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    // `run`'s choice of sensor (audit or strace), when the user made it.
    ...(base.SUPPLYWATCH_SENSOR ? { SUPPLYWATCH_SENSOR: base.SUPPLYWATCH_SENSOR } : {}),
  };
}
