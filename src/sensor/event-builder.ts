import type { Fields, NormalizedEvent } from '../events/event.js';
import { ProcessTable, type ProcessInfo } from './process-table.js';
import { failedRecord } from './record-guard.js';
import { decodeDnsQuery, HostResolver } from './resolver.js';
import { decodeBytes, decodeString, decodeStringArray, stringLiterals, type StraceCall } from './strace-syntax.js';

/**
 * strace calls → normalized events (product linux, service sensor): execve → process_creation,
 * connect → network_connection, a DNS query sent → dns_query, a file opened for writing or
 * created, renamed or linked → file_event. Keeps the process tree so every event names its
 * process, and process creations their real parent.
 */
export interface SensorIdentity {
  host: string;
  user: string;
  /** Working directory the command starts in. */
  cwd: string;
  /** strace itself: the parent of the traced command. */
  strace: ProcessInfo;
}

export interface BuilderCounts {
  calls: number;
  /** execve that failed: PATH search misses (ENOENT) and refused executions. */
  failedExecs: number;
  /** Writes to /dev, /proc and /sys: not files on disk. */
  pseudoFiles: number;
  /** Calls of threads whose creation was never seen (attributed to a process without parent). */
  orphanCalls: number;
  /** Audit driver: answers of its DNS stub dropped before they became events (too many waited between two reads). */
  lookupsDropped?: number;
}

/** Calls of not-yet-introduced threads kept at most (a lost clone line must not grow memory). */
const MAX_PENDING = 20_000;
const DNS_DUPLICATE_MS = 2_000;

export class EventBuilder {
  readonly table = new ProcessTable();
  readonly counts: BuilderCounts = { calls: 0, failedExecs: 0, pseudoFiles: 0, orphanCalls: 0 };
  /** Calls of threads that ran before their creator's clone returned, by thread id. */
  private readonly pending = new Map<number, Array<{ call: StraceCall; line: number }>>();
  private pendingCount = 0;
  /** `pid:fd` of sockets connected to port 53. */
  private readonly dnsSockets = new Set<string>();
  private readonly lastDns = new Map<number, { name: string; time: number }>();
  private rooted = false;

  /** `failed`: a call the builder could not handle, reported as a bad record of its line. */
  constructor(
    private readonly identity: SensorIdentity,
    private readonly resolver: HostResolver,
    private readonly failed: (line: number, reason: string) => void,
  ) {}

  handle(call: StraceCall, line: number, out: NormalizedEvent[]): void {
    // Traced only to make strace cheap (TRACED_SYSCALLS): not an event, and not a call the
    // summary counts.
    if (call.name === 'set_robust_list') return;
    this.counts.calls += 1;
    if (!this.rooted) {
      // The first line is the traced command's own execve.
      this.rooted = true;
      this.table.addRoot(call.tid, this.identity.strace, this.identity.cwd);
    }
    if (!this.table.processOf(call.tid)) {
      let queue = this.pending.get(call.tid);
      if (!queue) this.pending.set(call.tid, (queue = []));
      queue.push({ call, line });
      if (++this.pendingCount > MAX_PENDING) this.adoptOldest(out);
      return;
    }
    this.apply(call, line, out);
  }

  /** End of the stream: threads never introduced become processes without a known parent. */
  finish(out: NormalizedEvent[]): void {
    while (this.pending.size > 0) this.adoptOldest(out);
  }

  private adoptOldest(out: NormalizedEvent[]): void {
    const tid = this.pending.keys().next().value as number;
    this.counts.orphanCalls += this.pending.get(tid)!.length;
    this.table.addUnknown(tid);
    this.release(tid, out);
  }

  private release(tid: number, out: NormalizedEvent[]): void {
    const queue = this.pending.get(tid);
    if (!queue) return;
    this.pending.delete(tid);
    this.pendingCount -= queue.length;
    for (const { call, line } of queue) this.apply(call, line, out);
  }

  /** Guarded per call: a call held back for its thread is applied later, from another line. */
  private apply(call: StraceCall, line: number, out: NormalizedEvent[]): void {
    try {
      this.applyCall(call, line, out);
    } catch (err) {
      this.failed(line, failedRecord(err));
    }
  }

  private applyCall(call: StraceCall, line: number, out: NormalizedEvent[]): void {
    const ok = call.errno === undefined && call.ret !== '?';
    switch (call.name) {
      case 'clone':
      case 'clone3':
      case 'fork':
      case 'vfork': {
        const child = Number(call.ret);
        if (!ok || !(child > 0)) return;
        this.table.cloned(call.tid, child, call.args.join(','));
        this.release(child, out);
        return;
      }
      case 'execve':
      case 'execveat':
        if (!ok) {
          this.counts.failedExecs += 1;
          return;
        }
        return this.exec(call, line, out);
      case 'chdir': {
        const path = ok ? decodeString(call.args[0] ?? '') : undefined;
        if (path !== undefined) this.table.chdir(call.tid, path);
        return;
      }
      case 'connect':
        if (ok || call.errno === 'EINPROGRESS') this.connect(call, line, out);
        return;
      case 'sendto':
      case 'sendmsg':
      case 'sendmmsg':
        if (ok) this.send(call, line, out);
        return;
      default:
        if (ok) this.file(call, line, out);
    }
  }

  private exec(call: StraceCall, line: number, out: NormalizedEvent[]): void {
    const at = call.name === 'execveat' ? 1 : 0;
    const proc = this.table.processOf(call.tid)!;
    const path = decodeString(call.args[at] ?? '') ?? '';
    const argv = decodeStringArray(call.args[at + 1] ?? '') ?? [];
    const image = path === '' ? (argv[0] ?? '') : this.table.resolve(proc, path);
    this.table.exec(call.tid, image, argv.join(' '));
    const parent = proc.ppid === undefined ? undefined : this.table.get(proc.ppid);
    const fields: Fields = {
      Image: image,
      CommandLine: proc.commandLine!,
      CurrentDirectory: proc.cwd ?? '',
      ProcessId: proc.pid,
      User: this.identity.user,
    };
    if (parent) {
      fields.ParentProcessId = parent.pid;
      if (parent.image !== undefined) fields.ParentImage = parent.image;
      if (parent.commandLine !== undefined) fields.ParentCommandLine = parent.commandLine;
    }
    out.push(this.event('process_creation', call, line, fields));
  }

  private connect(call: StraceCall, line: number, out: NormalizedEvent[]): void {
    const addr = parseInetAddress(call.args[1] ?? '');
    if (!addr) return;
    const proc = this.table.processOf(call.tid)!;
    const socket = `${proc.pid}:${call.args[0]}`;
    if (addr.port === 53) this.dnsSockets.add(socket);
    else this.dnsSockets.delete(socket);
    const fields = this.processFields(proc);
    fields.DestinationIp = addr.ip;
    fields.DestinationPort = addr.port;
    fields.DestinationIsIpv6 = addr.ipv6 ? 'true' : 'false';
    fields.Initiated = 'true';
    if (addr.port !== 53) {
      const host = this.resolver.nameFor(proc.pid, addr.ip, call.time);
      if (host) {
        fields.DestinationHostname = host.name;
        fields.DestinationHostnameSource = host.from;
      }
    }
    out.push(this.event('network_connection', call, line, fields));
  }

  private send(call: StraceCall, line: number, out: NormalizedEvent[]): void {
    const proc = this.table.processOf(call.tid)!;
    const toDns = this.dnsSockets.has(`${proc.pid}:${call.args[0]}`) || call.args.some((a) => /htons\(53\)/.test(a));
    if (!toDns) return;
    for (const literal of stringLiterals(call.args.slice(1).join(', '))) {
      const bytes = decodeBytes(literal)?.bytes;
      const question = bytes && decodeDnsQuery(bytes);
      if (!question) continue;
      this.resolver.query(proc.pid, question.name, call.time);
      // glibc asks for A and AAAA together: one event per name.
      const last = this.lastDns.get(proc.pid);
      if (last && last.name === question.name && call.time - last.time < DNS_DUPLICATE_MS) continue;
      this.lastDns.set(proc.pid, { name: question.name, time: call.time });
      const fields = this.processFields(proc);
      fields.QueryName = question.name;
      fields.QueryType = question.type;
      out.push(this.event('dns_query', call, line, fields));
    }
  }

  private file(call: StraceCall, line: number, out: NormalizedEvent[]): void {
    const target = fileTarget(call);
    if (!target) return;
    const proc = this.table.processOf(call.tid)!;
    const path = target.dirIsCwd ? this.table.resolve(proc, target.path) : target.path;
    if (/^\/(dev|proc|sys)\//.test(path)) {
      this.counts.pseudoFiles += 1;
      return;
    }
    const fields = this.processFields(proc);
    fields.TargetFilename = path;
    fields.Syscall = call.name;
    if (target.flags) fields.OpenFlags = target.flags;
    if (target.source !== undefined) fields.SourceFilename = target.sourceDirIsCwd ? this.table.resolve(proc, target.source) : target.source;
    out.push(this.event('file_event', call, line, fields));
  }

  private processFields(proc: ProcessInfo): Fields {
    const fields: Fields = { ProcessId: proc.pid, User: this.identity.user };
    if (proc.image !== undefined) fields.Image = proc.image;
    return fields;
  }

  private event(category: string, call: StraceCall, line: number, fields: Fields): NormalizedEvent {
    return {
      category,
      product: 'linux',
      service: 'sensor',
      time: call.time,
      host: this.identity.host,
      user: this.identity.user,
      fields,
      source: { file: 'strace', format: 'strace', line },
    };
  }
}

/** `{sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("1.2.3.4")}` and the AF_INET6 form. */
export function parseInetAddress(text: string): { ip: string; port: number; ipv6: boolean } | undefined {
  const port = /sin6?_port=htons\((\d+)\)/.exec(text);
  if (!port) return undefined;
  const v4 = /inet_addr\("([^"]+)"\)/.exec(text);
  if (v4) return { ip: v4[1]!, port: Number(port[1]), ipv6: false };
  const v6 = /inet_pton\(AF_INET6, "([^"]+)"/.exec(text);
  if (v6) return { ip: v6[1]!, port: Number(port[1]), ipv6: true };
  return undefined;
}

interface FileTarget {
  path: string;
  /** The path is relative to the current directory (AT_FDCWD or a call without dirfd). */
  dirIsCwd: boolean;
  flags?: string;
  source?: string;
  sourceDirIsCwd?: boolean;
}

const WRITE_FLAGS = /\bO_(WRONLY|RDWR|CREAT|TRUNC|APPEND)\b/;

/** The file a call creates, writes, renames or links, or undefined for a read-only open. */
export function fileTarget(call: StraceCall): FileTarget | undefined {
  const a = call.args;
  const str = (i: number) => decodeString(a[i] ?? '');
  const cwdRelative = (dirArg: string | undefined) => dirArg === 'AT_FDCWD';
  switch (call.name) {
    case 'open':
      return opened(str(0), a[1], true);
    case 'openat':
      return opened(str(1), a[2], cwdRelative(a[0]));
    case 'openat2':
      return opened(str(1), /flags=([A-Z_|0-9]+)/.exec(a[2] ?? '')?.[1], cwdRelative(a[0]));
    case 'creat':
      return withPath(str(0), true, { flags: 'O_CREAT|O_WRONLY|O_TRUNC' });
    case 'rename':
    case 'link':
      return withPath(str(1), true, { source: str(0), sourceDirIsCwd: true });
    case 'renameat':
    case 'renameat2':
    case 'linkat':
      return withPath(str(3), cwdRelative(a[2]), { source: str(1), sourceDirIsCwd: cwdRelative(a[0]) });
    case 'symlink':
      return withPath(str(1), true, { source: str(0), sourceDirIsCwd: false });
    case 'symlinkat':
      return withPath(str(2), cwdRelative(a[1]), { source: str(0), sourceDirIsCwd: false });
    default:
      return undefined;
  }
}

function opened(path: string | undefined, flags: string | undefined, dirIsCwd: boolean): FileTarget | undefined {
  if (flags === undefined || !WRITE_FLAGS.test(flags)) return undefined;
  return withPath(path, dirIsCwd || path?.startsWith('/') === true, { flags });
}

function withPath(path: string | undefined, dirIsCwd: boolean, extra: Partial<FileTarget>): FileTarget | undefined {
  if (path === undefined) return undefined;
  return { path, dirIsCwd: dirIsCwd || path.startsWith('/'), ...extra };
}
