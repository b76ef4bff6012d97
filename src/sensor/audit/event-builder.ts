import { posix } from 'node:path';
import type { Fields, NormalizedEvent } from '../../events/event.js';
import { decodeUntrusted, execveArgv } from '../../sources/auditd/decode.js';
import { EventGrouper, type AuditEvent } from '../../sources/auditd/group.js';
import { normalizeEvent } from '../../sources/auditd/normalize.js';
import { ProcessTable as AuditProcessTable } from '../../sources/auditd/process-table.js';
import { parseRecord, type AuditRecord } from '../../sources/auditd/record.js';
import { syscallName } from '../../sources/auditd/syscalls.js';
import { OVERSIZED_LINE } from '../../sources/lines.js';
import type { BadRecord } from '../../sources/reader.js';
import type { BuilderCounts } from '../event-builder.js';
import { ProcessTable, type ProcessInfo } from '../process-table.js';
import { LineSplitter, type LineSink } from '../line-splitter.js';
import { failedRecord } from '../record-guard.js';
import type { HostResolver } from '../resolver.js';
import type { DnsAnswer } from './dns-stub.js';

/**
 * Audit records of one run (the text auditd's af_unix plugin writes, the same lines as
 * audit.log) → the events the strace driver emits for the same actions (product linux, service
 * sensor, the same fields), so rules, `--save` and replays do not depend on the driver.
 *
 * Records are parsed, grouped and normalized by the auditd reader (`sources/auditd/`); this class
 * keeps only the run's records (its key), follows the process tree from clone/fork/vfork and
 * exit_group, and shapes each event like the strace driver's:
 * - Image of an exec is the path given to execve (PATH item 0: `/usr/bin/sh`), as strace shows it,
 *   not the kernel's `exe` after symbolic links (`/usr/bin/dash`); other events name the image
 *   their process runs;
 * - CommandLine is argv joined with spaces, as the strace driver writes it;
 * - parent fields come from the tree: a fork child that never execs carries its parent's image,
 *   so the grandchild's ParentImage is right.
 */
export interface AuditIdentity {
  host: string;
  /** uid → user name (/etc/passwd), for the User field. */
  userOf(uid: string): string;
  /** `run`: the sensor (the command's parent), the command's pid and where it starts. */
  root?: { sensor: ProcessInfo; pid: number; cwd: string };
}

/**
 * What the watch sensor follows, in record order: the tree's forks and ends, and each event
 * before it is emitted (`admit`: false drops it). A process creation comes with the exec
 * record's own argv: its CommandLine joins the arguments with spaces, so splitting it back would
 * cut an argument that holds one (`/opt/my tools/node`).
 *
 * `follows` is asked first, for every call but an exec (which may start a tree): when neither the
 * process nor its parent is in a tree, its event would be dropped, so it is not built at all —
 * on a whole machine most calls are of other processes.
 */
export interface TreeListener {
  cloned(parent: number, child: number): void;
  exited(pid: number): void;
  follows(pid: number, ppid: number): boolean;
  admit(event: NormalizedEvent, ppid: number, argv: readonly string[] | undefined): boolean;
}

/**
 * Processes kept at most (watch: the whole machine). Entries go at exit_group; a process killed
 * by a signal makes no exit_group record, so past the cap the one known longest is dropped (its
 * children's parent fields are then absent, never guessed).
 */
export const MAX_TREE_PROCESSES = 65_536;

const FORMAT = 'auditd';
/** How long a lookup's event waits for its process's exec record. */
const LOOKUP_WAIT_MS = 1_000;
/** A lookup of the same name by the same process within this is the same lookup (A and AAAA). */
const DNS_REPEAT_MS = 2_000;
const MAX_LOOKUPS_KEPT = 10_000;
/**
 * Answers kept waiting between two reads of records, at most: a command that floods the stub
 * with lookups while auditd is slow must not grow memory. Past it the oldest answer is dropped
 * (its addresses still name later connections) and counted.
 */
export const MAX_WAITING_LOOKUPS = 10_000;
const CLONES = new Set(['clone', 'clone3', 'fork', 'vfork']);
const EXECS = new Set(['execve', 'execveat']);
const CLONE_THREAD = 0x10000;
const PROCTITLE = 'type=PROCTITLE ';

export class AuditEventBuilder {
  readonly table = new ProcessTable();
  readonly counts: Required<BuilderCounts> = { calls: 0, failedExecs: 0, pseudoFiles: 0, orphanCalls: 0, lookupsDropped: 0 };
  /** Events not of this run (auditd's own, the sensor's auditctl calls) seen and skipped. */
  skipped = 0;
  /** Calls of processes the tree listener does not follow, dropped before their event was built (watch). */
  unfollowed = 0;
  private readonly grouper = new EventGrouper();
  /** The auditd normalizer's table: its parent fields are replaced by the tree's. */
  private readonly scratch = new AuditProcessTable(1024, 1 << 16);
  private readonly lines = new LineSplitter();
  private lineNo = 0;
  /** Lookups answered since the last records (see dnsAnswered). */
  private readonly lookups: DnsAnswer[] = [];
  /** The last lookup event per process and name, and the event while it can still change. */
  private readonly lastLookup = new Map<string, { time: number; event?: NormalizedEvent }>();

  constructor(
    private readonly key: string,
    private readonly identity: AuditIdentity,
    private readonly resolver: HostResolver,
    private readonly onBad: (bad: BadRecord) => void,
    private readonly tree?: TreeListener,
  ) {
    if (identity.root) this.table.addRoot(identity.root.pid, identity.root.sensor, identity.root.cwd);
  }

  /**
   * A lookup the DNS stub answered: later connections to its addresses are named after it at once,
   * and it becomes a dns_query event, with its process when the stub found the socket's owner.
   * The event waits for the next records (`feed`, `end`): the asking process's exec record may
   * still be on its way through auditd, and it gives the event its Image.
   */
  dnsAnswered(answer: DnsAnswer): void {
    for (const address of answer.addresses) this.resolver.answered(answer.name, address);
    if (this.lookups.length >= MAX_WAITING_LOOKUPS) {
      this.lookups.shift();
      this.counts.lookupsDropped += 1;
    }
    this.lookups.push(answer);
  }

  /** Lookups whose process is known by now (or that waited long enough; all at the end). */
  private flushLookups(out: NormalizedEvent[], all = false): void {
    // Events of the previous flush have been handed on: repeats no longer change them.
    for (const last of this.lastLookup.values()) last.event = undefined;
    const now = Date.now();
    let kept = 0;
    for (const answer of this.lookups) {
      const ready = all || answer.pid === undefined || this.table.processOf(answer.pid)?.image !== undefined || now - answer.time > LOOKUP_WAIT_MS;
      if (ready) this.lookupEvent(answer, out);
      else this.lookups[kept++] = answer;
    }
    this.lookups.length = kept;
  }

  /**
   * One event per name and process, as the strace driver's (the C library asks for A and AAAA
   * together): a repeat within DNS_REPEAT_MS adds its addresses to the event still waiting, or is
   * dropped once that event has gone.
   */
  private lookupEvent(answer: DnsAnswer, out: NormalizedEvent[]): void {
    const who = `${answer.pid ?? ''} ${answer.name}`;
    const last = this.lastLookup.get(who);
    if (last && answer.time - last.time < DNS_REPEAT_MS) {
      if (last.event && answer.addresses.length > 0) {
        const before = String(last.event.fields.QueryResults);
        last.event.fields.QueryResults = before ? `${before};${answer.addresses.join(';')}` : answer.addresses.join(';');
      }
      return;
    }
    if (this.lastLookup.size >= MAX_LOOKUPS_KEPT) this.lastLookup.delete(this.lastLookup.keys().next().value!);
    const fields: Fields = {};
    if (answer.pid !== undefined) {
      fields.ProcessId = answer.pid;
      const image = this.table.processOf(answer.pid)?.image;
      if (image !== undefined) fields.Image = image;
    }
    Object.assign(fields, { QueryName: answer.name, QueryType: answer.type, QueryResults: answer.addresses.join(';') });
    const event: NormalizedEvent = { category: 'dns_query', product: 'linux', service: 'sensor', time: answer.time, host: this.identity.host, fields, source: { file: 'dns-stub', format: 'dns' } };
    this.lastLookup.set(who, { time: answer.time, event });
    out.push(event);
  }

  feed(chunk: string, out: NormalizedEvent[]): void {
    this.lines.feed(chunk, this.sink(out));
    this.flushLookups(out);
  }

  end(out: NormalizedEvent[]): void {
    this.lines.end(this.sink(out));
    for (const event of this.grouper.flush()) this.event(event, out);
    this.flushLookups(out, true);
  }

  private sink(out: NormalizedEvent[]): LineSink {
    return { line: (text) => this.line(text, out), tooLong: () => this.bad(++this.lineNo, OVERSIZED_LINE) };
  }

  private line(text: string, out: NormalizedEvent[]): void {
    this.lineNo += 1;
    // Every event carries its process's title, hex-encoded, one line in six; nothing here reads
    // it (argv comes from EXECVE records, the rest from the tree), so it is not parsed at all.
    if (text.startsWith(PROCTITLE) || text.trim() === '') return;
    try {
      this.record(text, out);
    } catch (err) {
      this.bad(this.lineNo, failedRecord(err));
    }
  }

  private record(text: string, out: NormalizedEvent[]): void {
    const record = parseRecord(text);
    if (typeof record === 'string') return this.bad(this.lineNo, record);
    const { events, late } = this.grouper.add(record, this.lineNo);
    if (late) this.bad(this.lineNo, `${record.type} record of audit(${record.id}) arrived after its event was closed`);
    for (const event of events) this.event(event, out);
  }

  /** Guarded per event: the records that complete an event may also complete others. */
  private event(audit: AuditEvent, out: NormalizedEvent[]): void {
    try {
      this.build(audit, out);
    } catch (err) {
      this.bad(audit.line, failedRecord(err));
    }
  }

  private build(audit: AuditEvent, out: NormalizedEvent[]): void {
    const main = audit.records.find((r) => r.type === 'SYSCALL');
    if (main === undefined || main.fields.get('key')?.text !== this.key) {
      this.skipped += 1;
      return;
    }
    this.counts.calls += 1;
    const raw = (k: string) => main.fields.get(k)?.text;
    const syscall = syscallName(raw('syscall'), raw('arch'), undefined);
    const pid = Number(raw('pid'));
    const ppid = Number(raw('ppid'));
    if (syscall !== undefined && CLONES.has(syscall)) {
      const child = Number(raw('exit'));
      // clone3 keeps its flags in a struct the record does not show: a thread it makes is taken
      // for a process. Harmless: a thread id is never a ppid, and the table is bounded.
      const threadFlag = syscall === 'clone' && (Number.parseInt(raw('a0') ?? '0', 16) & CLONE_THREAD) !== 0;
      if (child > 0 && !threadFlag) {
        this.process(pid, ppid);
        // Records leave in the order calls end: the child's exec may have come first, and it is
        // known already with what it runs, which the clone must not put back to its parent's.
        if (this.table.processOf(child)?.ppid !== pid) {
          this.table.cloned(pid, child, '');
          this.tree?.cloned(pid, child);
        }
        this.bound();
      }
      return;
    }
    if (syscall === 'exit_group') {
      this.table.exited(pid);
      if (this.tree) {
        this.table.forget(pid);
        this.tree.exited(pid);
      }
      return;
    }
    if (this.tree && !(syscall !== undefined && EXECS.has(syscall)) && !this.tree.follows(pid, ppid)) {
      // Still introduced to the table, as a built event's process would be: the parent fields of
      // its children's execs, and the table's eviction order, stay what they were.
      this.process(pid, ppid);
      this.unfollowed += 1;
      return;
    }
    const { event, problem } = normalizeEvent(audit, this.scratch, { file: 'audit', format: FORMAT, line: audit.line });
    if (problem !== undefined) this.bad(audit.line, problem);
    const proc = this.process(pid, ppid);
    const user = this.identity.userOf(raw('uid') ?? '');
    let fields: Fields = { ProcessId: pid, User: user };
    let argv: string[] | undefined;
    switch (event.category) {
      case 'process_creation':
        ({ fields, argv } = this.exec(audit.records, proc, ppid, event.fields, user));
        break;
      case 'network_connection':
        if (proc.image !== undefined) fields.Image = proc.image;
        for (const k of ['DestinationIp', 'DestinationPort', 'DestinationIsIpv6', 'Initiated'] as const) fields[k] = event.fields[k]!;
        if (event.fields.DestinationPort !== 53) {
          const host = this.resolver.nameFor(pid, String(event.fields.DestinationIp), event.time ?? 0);
          if (host) {
            fields.DestinationHostname = host.name;
            fields.DestinationHostnameSource = host.from;
          }
        }
        break;
      case 'file_event': {
        const target = String(event.fields.TargetFilename);
        if (/^\/(dev|proc|sys)\//.test(target)) {
          this.counts.pseudoFiles += 1;
          return;
        }
        if (proc.image !== undefined) fields.Image = proc.image;
        fields.TargetFilename = target;
        fields.Syscall = syscall!;
        const flags = openFlags(syscall!, main);
        if (flags !== undefined) fields.OpenFlags = flags;
        if (event.fields.SourceFilename !== undefined) fields.SourceFilename = event.fields.SourceFilename;
        break;
      }
      default:
        return;
    }
    const built: NormalizedEvent = {
      category: event.category,
      product: 'linux',
      service: 'sensor',
      time: event.time,
      host: this.identity.host,
      user,
      fields,
      source: { file: 'audit', format: FORMAT, line: audit.line },
    };
    if (!this.tree || this.tree.admit(built, ppid, argv)) out.push(built);
  }

  private exec(records: AuditRecord[], proc: ProcessInfo, ppid: number, normalized: Fields, user: string): { fields: Fields; argv: string[] } {
    const cwd = typeof normalized.CurrentDirectory === 'string' ? normalized.CurrentDirectory : proc.cwd ?? '';
    const argv = execveArgv(records.filter((r) => r.type === 'EXECVE').map((r) => r.fields))?.argv ?? [];
    // The path execve was given (a script's own path, `sh` before the symbolic link to dash).
    const item0 = records.find((r) => r.type === 'PATH' && r.fields.get('item')?.text === '0');
    const given = decodeUntrusted(item0?.fields.get('name'));
    const image = given === undefined ? String(normalized.Image ?? '') : given.startsWith('/') ? given : posix.join(cwd, given);
    // Copies: a substring would keep the whole chunk of records it came from alive as long as
    // the process is known (for watch, up to MAX_TREE_PROCESSES of them).
    proc.cwd = copy(cwd);
    this.table.exec(proc.pid, copy(image), argv.join(' '));
    const fields: Fields = { Image: image, CommandLine: proc.commandLine!, CurrentDirectory: cwd, ProcessId: proc.pid, User: user };
    const parent = this.table.get(ppid);
    if (parent) {
      fields.ParentProcessId = parent.pid;
      if (parent.image !== undefined) fields.ParentImage = parent.image;
      if (parent.commandLine !== undefined) fields.ParentCommandLine = parent.commandLine;
    }
    return { fields, argv };
  }

  /**
   * The process `pid`, introduced now if its clone was not seen yet: a child can exec on another
   * CPU before its parent's clone returns and is audited, and records leave in the order calls
   * end.
   */
  private process(pid: number, ppid: number): ProcessInfo {
    const known = this.table.processOf(pid);
    if (known) return known;
    if (this.table.processOf(ppid)) {
      this.tree?.cloned(ppid, pid);
      const child = this.table.cloned(ppid, pid, '')!;
      this.bound();
      return child;
    }
    // Watch sees processes that were running before it started: not an anomaly there.
    if (!this.tree) this.counts.orphanCalls += 1;
    const unknown = this.table.addUnknown(pid);
    if (this.tree) unknown.ppid = ppid;
    this.bound();
    return unknown;
  }

  private bound(): void {
    while (this.table.size > MAX_TREE_PROCESSES) {
      const oldest = this.table.oldest()!;
      this.table.forget(oldest);
      this.tree?.exited(oldest);
    }
  }

  private bad(line: number, reason: string): void {
    this.onBad({ file: 'audit', format: FORMAT, line, reason });
  }
}

function copy(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

const OPEN_FLAG_NAMES: Array<[number, string]> = [
  [0x40, 'O_CREAT'], [0x80, 'O_EXCL'], [0x100, 'O_NOCTTY'], [0x200, 'O_TRUNC'], [0x400, 'O_APPEND'], [0x800, 'O_NONBLOCK'], [0x1000, 'O_DSYNC'], [0x4000, 'O_DIRECT'],
  [0x10000, 'O_DIRECTORY'], [0x20000, 'O_NOFOLLOW'], [0x40000, 'O_NOATIME'], [0x80000, 'O_CLOEXEC'], [0x200000, 'O_PATH'], [0x410000, 'O_TMPFILE'],
];

/** The open flags as strace prints them (`O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC`), for open, openat and creat. */
export function openFlags(syscall: string, main: AuditRecord): string | undefined {
  if (syscall === 'creat') return 'O_CREAT|O_WRONLY|O_TRUNC';
  const register = syscall === 'open' ? 'a1' : syscall === 'openat' ? 'a2' : undefined;
  if (register === undefined) return undefined;
  const value = Number.parseInt(main.fields.get(register)?.text ?? '', 16);
  if (!Number.isFinite(value)) return undefined;
  const names: string[] = [['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'][value & 3]!];
  for (const [bit, name] of OPEN_FLAG_NAMES) {
    if (name === 'O_TMPFILE' ? (value & bit) === bit : (value & bit) !== 0 && !(name === 'O_DIRECTORY' && (value & 0x410000) === 0x410000)) names.push(name);
  }
  return names.join('|');
}
