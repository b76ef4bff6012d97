import { randomBytes } from 'node:crypto';

/**
 * The audit rules of one `run` (or `watch`): what the detection rules need, filtered in the
 * kernel so that nothing else costs a record.
 *
 * - `run` puts the command in a fresh audit session (it writes /proc/self/loginuid before the
 *   exec: the kernel gives the process a new session id, which every descendant inherits, even
 *   one that detaches with setsid). `-F sessionid=N` then keeps the rules to the command's own
 *   tree: other processes of the machine never produce a record.
 * - Opens are kept only with a write or create flag (`-F a2&0x243` on openat: O_WRONLY | O_RDWR |
 *   O_CREAT | O_TRUNC), in the kernel: the ~1,100 read-only opens of an `npm install`, all of
 *   strace's floor (docs/sensor.md), cost nothing. openat2 carries its flags in a struct the
 *   filter cannot read, so it is kept whole (rarely used).
 * - Failed execs (a shell's PATH search) are dropped in the kernel (`success=1`).
 * - Every rule carries the run's key; `auditctl -D -k KEY` removes them all, and the removal's
 *   CONFIG_CHANGE record marks the end of the run's records in the stream.
 */

/** Every key starts with it: rules left by a sensor that died are found by it (`staleKeys`). */
export const KEY_PREFIX = 'supplywatch-';

/** A key unique to this sensor (auditctl keys are at most 31 bytes in practice: this is 31). */
export function newKey(kind: 'run' | 'watch'): string {
  return `${KEY_PREFIX}${kind}-${randomBytes(5).toString('hex')}`.slice(0, 31);
}

const O_WRITE_MASK = '0x243'; // O_WRONLY | O_RDWR | O_CREAT | O_TRUNC

interface RuleSpec {
  syscalls: string[];
  filters?: string[];
}

/**
 * Few rules, each with many calls: removing a rule costs the kernel ~20 ms (measured here:
 * 25 ms for one, 248 ms for 14 in a row), and the run's end waits for the removal.
 * clone and fork are audited in the parent only (the child returns without a syscall exit), so
 * `success=1` keeps them whole; connect cannot take it (a non-blocking connect fails with
 * EINPROGRESS, and that is how Node connects).
 */
const RULES: RuleSpec[] = [
  {
    syscalls: ['execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork', 'openat2', 'creat', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'symlink', 'symlinkat'],
    filters: ['success=1'],
  },
  { syscalls: ['exit_group', 'connect'] },
  { syscalls: ['open'], filters: [`a1&${O_WRITE_MASK}`, 'success=1'] },
  { syscalls: ['openat'], filters: [`a2&${O_WRITE_MASK}`, 'success=1'] },
];

/**
 * The rules as lines of an `auditctl -R` file. `sessionId`: only that audit session (run);
 * `excludeSessionId`: the whole machine but that session (watch puts itself in a session of its
 * own, so that neither it nor its auditd and auditctl children are audited).
 */
export function ruleLines(key: string, scope: { sessionId: number } | { excludeSessionId: number }, machine: string = process.arch): string[] {
  const lines: string[] = [];
  const who = 'sessionId' in scope ? `-F sessionid=${scope.sessionId}` : `-F sessionid!=${scope.excludeSessionId}`;
  for (const arch of ['b64', 'b32']) {
    for (const rule of RULES) {
      // arm64's own table has no legacy calls, and auditctl refuses a rule that names one.
      const syscalls = arch === 'b64' && machine === 'arm64' ? rule.syscalls.filter((s) => !NOT_ON_ARM64.has(s)) : rule.syscalls;
      if (syscalls.length === 0) continue;
      const filters = (rule.filters ?? []).map((f) => `-F ${f}`).join(' ');
      lines.push(`-a always,exit -F arch=${arch} ${syscalls.map((s) => `-S ${s}`).join(' ')} ${who}${filters ? ` ${filters}` : ''} -k ${key}`);
    }
  }
  return lines;
}

/** Calls of the x86 tables (and 32-bit ARM's) that the generic table arm64 uses leaves out: their `…at` forms remain. */
const NOT_ON_ARM64 = new Set(['open', 'creat', 'rename', 'link', 'symlink', 'fork', 'vfork']);

/** The keys of `auditctl -l` output that start with KEY_PREFIX, each once. */
export function keysInListing(listing: string): string[] {
  const keys = new Set<string>();
  for (const m of listing.matchAll(/(?:-k |-F key=)(\S+)/g)) if (m[1]!.startsWith(KEY_PREFIX)) keys.add(m[1]!);
  return [...keys];
}
