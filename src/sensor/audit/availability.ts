import { findOnPath } from '../strace-launcher.js';
import { auditStatus, commandLineOf, type AuditStatus } from './control.js';
import { RECEIVER_PREFIX } from './receiver.js';

/**
 * Whether the audit driver can run here, or why not (said in the summary when `run` falls back to
 * strace, and as the error of `--sensor audit`). Two parts: what needs no system call
 * (`auditPrerequisites`, before the lock), and what the kernel's audit status says (under the
 * lock, from the status the driver reads anyway: one auditctl less before the command starts).
 */
export function auditPrerequisites(): string | undefined {
  if (process.getuid?.() !== 0) return 'the audit driver needs root';
  for (const tool of ['auditctl', 'auditd', 'flock']) {
    if (!findOnPath(tool)) return `${tool} is not installed (Debian, Ubuntu: apt-get install auditd util-linux)`;
  }
  return undefined;
}

/** The kernel's audit status, or why it cannot be used. */
export function usableStatus(): AuditStatus | string {
  let status: AuditStatus;
  try {
    status = auditStatus();
  } catch (err) {
    return `the kernel's audit is not reachable (${(err as Error).message}; in a container it needs CAP_AUDIT_CONTROL and the host's audit)`;
  }
  if (status.enabled === 2) return 'audit rules are locked until reboot (auditctl -s: enabled 2)';
  if (status.pid > 0) {
    const command = commandLineOf(status.pid);
    if (!command?.includes(RECEIVER_PREFIX)) return `another audit daemon holds the kernel's audit socket (pid ${status.pid}${command ? `: ${command}` : ''})`;
  }
  return status;
}

/** Both checks at once (watch, which takes the lock after). */
export function auditUnavailable(): string | undefined {
  const status = auditPrerequisites() ?? usableStatus();
  return typeof status === 'string' ? status : undefined;
}
