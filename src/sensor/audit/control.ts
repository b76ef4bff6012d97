import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keysInListing } from './rules.js';

/**
 * `auditctl`, run synchronously: each call is a few milliseconds, and the order of rule changes
 * against the command's start matters more than the event loop meanwhile.
 */

export interface AuditStatus {
  /** 0 off, 1 on, 2 locked (rules cannot change until reboot). */
  enabled: number;
  /** The audit daemon's pid, 0 when none holds the kernel's audit socket. */
  pid: number;
  backlogLimit: number;
  /** How long a process waits for room in a full backlog (kernel ticks); undefined on kernels that do not say. */
  backlogWaitTime?: number;
  lost: number;
}

export class AuditctlError extends Error {}

function auditctl(args: string[]): string {
  const r = spawnSync('auditctl', args, { encoding: 'utf8' });
  if (r.error) throw new AuditctlError(`auditctl ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new AuditctlError(`auditctl ${args.join(' ')}: ${(r.stderr || r.stdout).trim() || `exit ${r.status}`}`);
  return r.stdout;
}

export function parseStatus(text: string): AuditStatus | undefined {
  const value = (name: string) => {
    const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const enabled = value('enabled');
  const pid = value('pid');
  if (enabled === undefined || pid === undefined) return undefined;
  return { enabled, pid, backlogLimit: value('backlog_limit') ?? 0, backlogWaitTime: value('backlog_wait_time'), lost: value('lost') ?? 0 };
}

export function auditStatus(): AuditStatus {
  const status = parseStatus(auditctl(['-s']));
  if (!status) throw new AuditctlError('auditctl -s: unexpected output');
  return status;
}

/**
 * Records the kernel dropped since `before` (auditctl -s `lost`), for a sensor's end report: 0
 * when the status cannot be read then, which must not cost the report itself.
 */
export function recordsLostSince(before: number): number {
  try {
    return Math.max(0, auditStatus().lost - before);
  } catch {
    return 0;
  }
}

/** Loads rules (and settings such as `-b`), one auditctl argument line each, in one call (`auditctl -R`). */
export function loadRules(lines: string[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'supplywatch-rules-'));
  try {
    const file = join(dir, 'audit.rules');
    writeFileSync(file, lines.join('\n') + '\n');
    auditctl(['-R', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Sends a user message into the audit stream (`auditctl -m`: a USER record carrying `text`),
 * queued after every record the kernel made before it.
 */
export function sendMark(text: string): void {
  auditctl(['-m', text]);
}

/** Removes every rule with this key (none is not an error). */
export function deleteRules(key: string): void {
  try {
    auditctl(['-D', '-k', key]);
  } catch (err) {
    // auditctl fails when no rule had the key: nothing left to remove.
    if (!/no rules|not found/i.test((err as Error).message)) throw err;
  }
}

/** Keys of the rules loaded now that start with KEY_PREFIX. */
export function supplywatchKeys(): string[] {
  return keysInListing(auditctl(['-l']));
}

/** The command line of a process, NULs as spaces; undefined when it is gone. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim();
  } catch {
    return undefined;
  }
}
