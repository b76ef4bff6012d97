/**
 * A grouped audit event → a NormalizedEvent (product linux, service auditd).
 *
 * - execve/execveat that succeeded (or an EXECVE record without its SYSCALL) → process_creation:
 *   Image ← exe, CommandLine ← argv (see `joinArgv` for the quoting; AUOMS's own `cmdline` as is;
 *   PROCTITLE when there is no EXECVE), CurrentDirectory ← CWD, User, ProcessId ← pid,
 *   ParentProcessId ← ppid, ParentImage/ParentCommandLine from the process table.
 * - connect that succeeded or is in progress (EINPROGRESS, -115: non-blocking sockets, which is
 *   how Node and most runtimes connect) to an inet/inet6 SOCKADDR → network_connection:
 *   DestinationIp, DestinationPort, Image, ProcessId, User, Initiated.
 * - a successful syscall with a PATH of nametype CREATE, an open/openat/creat with write flags
 *   (O_WRONLY, O_RDWR, O_CREAT or O_TRUNC), or a rename → file_event: TargetFilename ← the created
 *   (renamed-to, opened) path, SourceFilename ← a rename's old path, Image, ProcessId, User.
 *   Relative names are joined with the CWD record, except for an `*at` call whose directory fd is
 *   not AT_FDCWD: that directory is not in the log, so the name stays relative.
 * - exit_group drops the pid from the process table (the pid may be reused).
 * - anything else keeps its raw fields and no category (nothing vanishes).
 * User ← the uid's name when the log is enriched (`UID="root"`) or AUOMS (`user=`), else the uid
 * number; AuditUser ← the login uid (auid) the same way, absent when unset (4294967295).
 */
import { posix } from 'node:path';
import type { Fields, NormalizedEvent, Provenance } from '../../events/event.js';
import { decodeUntrusted, execveArgv, joinArgv, proctitleArgv } from './decode.js';
import { flattenRecords } from './flatten.js';
import type { AuditEvent } from './group.js';
import type { RawFields } from './kv.js';
import type { ProcessTable } from './process-table.js';
import { decodeSockaddr } from './sockaddr.js';
import { syscallName } from './syscalls.js';

const UNSET_UID = new Set(['4294967295', '-1', 'unset']);
const EINPROGRESS = '-115';
const AT_FDCWD = 0xffffff9c;
const O_WRITE_MASK = 0x1 | 0x2 | 0x40 | 0x200; // O_WRONLY | O_RDWR | O_CREAT | O_TRUNC
const EXECS = new Set(['execve', 'execveat']);
const RENAMES = new Set(['rename', 'renameat', 'renameat2']);
/** Register holding the open flags, per open call (Maps: `ausearch -i` gives the call's name as the log's text). */
const OPEN_FLAGS_ARG = new Map([['open', 'a1'], ['openat', 'a2']]);
/** Register holding the directory fd that a relative name of the created path is relative to. */
const DIRFD_ARG = new Map([
  ['openat', 'a0'], ['openat2', 'a0'], ['mkdirat', 'a0'], ['mknodat', 'a0'], ['renameat', 'a2'], ['renameat2', 'a2'], ['linkat', 'a2'], ['symlinkat', 'a1'],
]);

export interface Normalized {
  event: NormalizedEvent;
  /** Set when the event is usable but its records were incomplete (reported as a bad record). */
  problem?: string;
}

export function normalizeEvent(audit: AuditEvent, table: ProcessTable, source: Provenance): Normalized {
  const records = audit.records;
  const main = records.find((r) => r.type === 'SYSCALL' || r.type.startsWith('AUOMS_'))?.fields;
  const auoms = main !== undefined && records[0]!.type.startsWith('AUOMS_');
  const execves = records.filter((r) => r.type === 'EXECVE').map((r) => r.fields);
  const parsedArgv = execves.length > 0 ? execveArgv(execves) : undefined;
  const common: Fields = {};
  const event: NormalizedEvent = { product: 'linux', service: 'auditd', time: records[0]!.time, fields: common, source };
  if (audit.node !== undefined) event.host = audit.node;
  const result: Normalized = { event };
  if (parsedArgv?.missing !== undefined) result.problem = `audit(${audit.id}): ${parsedArgv.missing}`;

  const raw = (key: string) => main?.get(key)?.text;
  const text = (key: string) => (main === undefined ? undefined : decodeUntrusted(main.get(key)));
  const syscall = syscallName(raw('syscall'), raw('arch'), raw('SYSCALL'));
  const success = raw('success') !== 'no'; // absent (a lone EXECVE) counts as done
  const pid = numberOf(raw('pid'));
  const ppid = numberOf(raw('ppid'));
  const image = text('exe');
  const user = userName(main, 'uid', 'UID', 'user');
  if (user !== undefined) event.user = user;
  const cwd = decodeUntrusted(records.find((r) => r.type === 'CWD')?.fields.get('cwd')) ?? text('cwd');
  const proctitle = records.find((r) => r.type === 'PROCTITLE')?.fields.get('proctitle');
  const commandLine = parsedArgv !== undefined
    ? joinArgv(parsedArgv.argv)
    : auoms
      ? text('cmdline')
      : (() => { const argv = proctitleArgv(proctitle); return argv && joinArgv(argv); })();

  if (image !== undefined) common.Image = image;
  if (pid !== undefined) common.ProcessId = pid;
  if (user !== undefined) common.User = user;
  const auditUser = userName(main, 'auid', 'AUID', 'audit_user');
  if (auditUser !== undefined) common.AuditUser = auditUser;

  const isExec = (syscall !== undefined && EXECS.has(syscall) && success) || (main === undefined && parsedArgv !== undefined);
  if (isExec) {
    event.category = 'process_creation';
    if (commandLine !== undefined) common.CommandLine = commandLine;
    if (cwd !== undefined) common.CurrentDirectory = cwd;
    if (ppid !== undefined) {
      common.ParentProcessId = ppid;
      const parent = table.get(audit.node, ppid);
      if (parent?.image !== undefined) common.ParentImage = parent.image;
      if (parent?.commandLine !== undefined) common.ParentCommandLine = parent.commandLine;
    }
    if (pid !== undefined) table.set(audit.node, pid, { image, commandLine });
  } else if (pid !== undefined && syscall === 'exit_group') {
    table.exit(audit.node, pid);
  } else if (pid !== undefined && image !== undefined && !(syscall !== undefined && EXECS.has(syscall))) {
    const title = auoms ? text('proctitle') : (() => { const argv = proctitleArgv(proctitle); return argv && joinArgv(argv); })();
    table.observe(audit.node, pid, { image, commandLine: title });
  }

  if (!isExec && syscall === 'connect' && (success || raw('exit') === EINPROGRESS)) {
    const saddr = records.find((r) => r.type === 'SOCKADDR')?.fields.get('saddr')?.text ?? raw('saddr');
    const address = saddr === undefined ? undefined : decodeSockaddr(saddr);
    if (address?.family === 'inet' || address?.family === 'inet6') {
      event.category = 'network_connection';
      common.DestinationIp = address.ip;
      common.DestinationPort = address.port;
      common.DestinationIsIpv6 = address.family === 'inet6' ? 'true' : 'false';
      common.Initiated = 'true';
    } else if (address?.family === 'unix') {
      common.SocketPath = address.path;
    }
  }

  if (!isExec && syscall !== undefined && success && main !== undefined) {
    const target = fileTarget(syscall, main, records.filter((r) => r.type === 'PATH').map((r) => r.fields), cwd);
    if (target !== undefined) {
      event.category = 'file_event';
      common.TargetFilename = target.target;
      if (target.source !== undefined) common.SourceFilename = target.source;
    }
  }

  flattenRecords(records, parsedArgv?.argv, common);
  if (syscall !== undefined && common.SYSCALL === undefined) common.SYSCALL = syscall; // as the enriched format names it
  return result;
}

function fileTarget(syscall: string, main: RawFields, paths: RawFields[], cwd: string | undefined): { target: string; source?: string } | undefined {
  const named = (type: string) => paths.filter((p) => p.get('nametype')?.text === type).map((p) => decodeUntrusted(p.get('name')));
  const created = named('CREATE').filter((n) => n !== undefined);
  let target: string | undefined = created[created.length - 1];
  if (target === undefined) {
    const flagsArg = OPEN_FLAGS_ARG.get(syscall);
    const writes = syscall === 'creat' || (flagsArg !== undefined && (hexOf(main.get(flagsArg)?.text) & O_WRITE_MASK) !== 0);
    if (!writes) return undefined;
    target = named('NORMAL').find((n) => n !== undefined);
    if (target === undefined) return undefined;
  }
  const dirfdArg = DIRFD_ARG.get(syscall);
  const relativeToCwd = dirfdArg === undefined || (hexOf(main.get(dirfdArg)?.text) & 0xffffffff) >>> 0 === AT_FDCWD;
  const absolute = (name: string) => (name.startsWith('/') || !relativeToCwd || cwd === undefined ? name : posix.join(cwd, name));
  const result: { target: string; source?: string } = { target: absolute(target) };
  if (RENAMES.has(syscall)) {
    const old = named('DELETE')[0];
    if (old !== undefined) result.source = old.startsWith('/') || cwd === undefined ? old : posix.join(cwd, old);
  }
  return result;
}

function userName(main: RawFields | undefined, uidKey: string, enrichedKey: string, auomsKey: string): string | undefined {
  if (main === undefined) return undefined;
  const name = main.get(enrichedKey)?.text ?? main.get(auomsKey)?.text;
  if (name !== undefined && !UNSET_UID.has(name)) return name;
  const uid = main.get(uidKey)?.text;
  return uid === undefined || UNSET_UID.has(uid) ? undefined : uid;
}

function numberOf(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

function hexOf(text: string | undefined): number {
  if (text === undefined || !/^[0-9a-fA-F]{1,16}$/.test(text)) return 0;
  return Number.parseInt(text.length > 8 ? text.slice(-8) : text, 16);
}
