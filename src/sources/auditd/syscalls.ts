/**
 * Syscall numbers of the calls the normalizer and the audit sensor (clone, fork: the process tree) care about, per audit arch (`arch=` is the
 * AUDIT_ARCH_* constant in hex). The enriched format (`SYSCALL=execve`) and AUOMS (`syscall=execve`)
 * carry the name and need no table; other numbers stay numbers (the event keeps no category).
 */
const X86_64: Record<number, string> = {
  2: 'open', 42: 'connect', 56: 'clone', 57: 'fork', 58: 'vfork', 435: 'clone3', 59: 'execve', 76: 'truncate', 82: 'rename', 83: 'mkdir', 85: 'creat',
  86: 'link', 88: 'symlink', 133: 'mknod', 257: 'openat', 258: 'mkdirat', 259: 'mknodat', 264: 'renameat',
  231: 'exit_group', 265: 'linkat', 266: 'symlinkat', 316: 'renameat2', 322: 'execveat', 437: 'openat2',
};
/** arm64 (and other architectures using the generic syscall table). */
const GENERIC: Record<number, string> = {
  33: 'mknodat', 34: 'mkdirat', 36: 'symlinkat', 37: 'linkat', 38: 'renameat', 45: 'truncate', 56: 'openat',
  94: 'exit_group', 203: 'connect', 220: 'clone', 435: 'clone3', 221: 'execve', 276: 'renameat2', 281: 'execveat', 437: 'openat2',
};
const I386: Record<number, string> = {
  2: 'fork', 5: 'open', 8: 'creat', 120: 'clone', 190: 'vfork', 435: 'clone3', 9: 'link', 11: 'execve', 14: 'mknod', 38: 'rename', 39: 'mkdir', 83: 'symlink',
  92: 'truncate', 252: 'exit_group', 295: 'openat', 296: 'mkdirat', 297: 'mknodat', 302: 'renameat', 303: 'linkat',
  304: 'symlinkat', 353: 'renameat2', 358: 'execveat', 362: 'connect', 437: 'openat2',
};

/** A Map: the arch is the log's text. */
const BY_ARCH = new Map<string, Record<number, string>>([
  ['c000003e', X86_64],
  ['c00000b7', GENERIC],
  ['40000003', I386],
]);

/** The syscall's name, from the enriched name, a name already in `syscall=`, or the arch table. */
export function syscallName(syscall: string | undefined, arch: string | undefined, enriched: string | undefined): string | undefined {
  if (enriched !== undefined) return enriched;
  if (syscall === undefined) return undefined;
  if (!/^\d+$/.test(syscall)) return syscall;
  return BY_ARCH.get((arch ?? '').toLowerCase())?.[Number(syscall)];
}
