import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { EARLY_TRACE_CAP, findOnPath, TRACE_READ_GAP_MS } from '../strace-launcher.js';
import { TraceReader } from '../trace-reader.js';
import { usableStatus } from './availability.js';
import { loadRules, recordsLostSince, sendMark } from './control.js';
import { startDnsStub, type DnsAnswer, type DnsStub } from './dns-stub.js';
import { EndMarker } from './end-marker.js';
import { markDirty, OWNER_PATH, takeLock, type Janitor } from './janitor.js';
import { startReceiver, type Receiver } from './receiver.js';
import { newKey, ruleLines } from './rules.js';
import { removeStale } from './stale.js';
import { udpSocketOwner } from './socket-owner.js';
import { sessionMembers } from './tree.js';

/**
 * `run`'s audit driver: takes the machine's audit receiver (janitor.ts), starts the command in a
 * fresh audit session, loads the session's rules before the command's first instruction, and
 * streams the records until the command's whole tree has ended and a mark sent after it
 * (`auditctl -m`) has come through: the kernel queues records in order, so nothing of the run
 * comes after it. The janitor then stops auditd and removes the rules.
 *
 * The command is started by a small shell that writes /proc/self/loginuid (a new audit session),
 * reports the session id, then waits on a pipe; the sensor loads the rules for that session and
 * lets it go, so the exec of the command itself is the first record. The shell hands the
 * sensor's stdin on to the command (fd 3), and the command's stdout goes to the sensor's stderr,
 * as with strace.
 */
export interface AuditRun {
  key: string;
  sessionId: number;
  rootPid: number;
  /** The records, as text lines, held (bounded) until taken. */
  output: TraceReader;
  /** The command's own end. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Lookups the DNS stub answered (those before the call are replayed). */
  onDns(listener: (answer: DnsAnswer) => void): void;
  /** The DNS stub's address, when it runs. */
  dnsStub?: string;
  /** Processes of the command's tree alive now. */
  livePids(): number[];
  /** Lets the command run: the rules are in and the records flow. */
  go(): void;
  /** Instead of `go`: the command never runs; auditd, the rules and the lock are released. */
  abort(): Promise<void>;
  /** After the output ended: hands the receiver and the rules to the janitor, which removes them. */
  cleanup(): Promise<AuditEnding>;
}

export interface AuditEnding {
  /** The end of the records was seen (else some may be missing). */
  complete: boolean;
  /** Records the kernel dropped during the run (auditctl -s `lost`, difference). */
  lost: number;
}

/** The receiver is taken by another sensor: who, as the lock's owner file says. */
export class AuditBusy extends Error {}

/** The kernel's audit cannot be used here (why: the message). */
export class AuditUnavailable extends Error {}

/** The kernel's backlog during a run: a burst of records waits instead of being dropped. */
export const RUN_BACKLOG = 16_384;
/** How often the tree is looked for after the command's own end. */
const TREE_POLL_MS = 20;
/** How long the end mark's record may take to come through auditd. */
const END_TIMEOUT_MS = 5_000;

const WRAPPER = `
read l < /proc/self/loginuid
[ "$l" = 4294967295 ] && l=$1
rc=$2
shift 2
stub=no
[ -n "$rc" ] && mount --bind "$rc" /etc/resolv.conf && stub=yes
if ! echo "$l" > /proc/self/loginuid; then echo "supplywatch: cannot start a new audit session (writing /proc/self/loginuid failed)" >&2; exit 126; fi
read s < /proc/self/sessionid
echo "$s $stub" >&4
exec 4>&-
read go || exit 125
exec "$@" 0<&3 3<&-
`;

/** How long a sensor waits for a janitor that is cleaning up after the previous run. */
const JANITOR_WAIT_SECONDS = 5;

/**
 * Everything up to the command's first instruction, in parallel where order allows: the DNS stub
 * binds and the command's shell takes its audit session (neither needs the lock) while the lock is
 * taken; under the lock, the status, auditd, then the rules. The command is held until `go()`.
 */
export async function launchAudit(command: string[], options: { waitSeconds: number; owner: string }): Promise<AuditRun> {
  const owner = `${options.owner} ${process.pid}`;
  const locking = takeLock(options.waitSeconds, owner);
  // Awaited below: this only keeps a failure meanwhile from counting as unhandled.
  locking.catch(() => undefined);
  // Answers before run.ts listens (the command starts before the engine loads) wait here.
  const early: DnsAnswer[] = [];
  let onDns: ((answer: DnsAnswer) => void) | undefined;
  const listen = (listener: (answer: DnsAnswer) => void) => {
    onDns = listener;
    for (const answer of early.splice(0)) listener(answer);
  };
  // The stub names the process of each lookup among the session's (known once the shell reports it).
  let members: () => number[] = () => [];
  const ownerOf = (port: number) => udpSocketOwner(port, members());
  const dns = await startDnsStub((answer) => (onDns ? onDns(answer) : early.push(answer)), ownerOf).catch(() => undefined);
  const wrapper = startWrapper(command, dns?.resolvConf);
  let janitor: Janitor | undefined;
  let receiver: Receiver | undefined;
  try {
    janitor = await locking;
    // Taken, and no owner: the previous run's janitor is removing its rules (a fraction of a second).
    if (!janitor && !existsSync(OWNER_PATH)) janitor = await takeLock(JANITOR_WAIT_SECONDS, owner);
    if (!janitor) throw new AuditBusy(ownerText());
    const before = usableStatus();
    if (typeof before === 'string') throw new AuditUnavailable(before);
    removeStale(before.pid);
    janitor.tell(`restore ${before.enabled} ${before.backlogLimit}`);
    const key = newKey('run');
    janitor.tell(`key ${key}`);
    receiver = await startReceiver();
    janitor.tell(`auditd ${receiver.auditd.pid}`);
    janitor.tell(`dir ${receiver.dir}`);
    const started = await wrapper.started;
    if (started === undefined) throw new Error('the command could not be started in its own audit session');
    const { sessionId, stub } = started;
    members = () => sessionMembers(sessionId);
    if (!stub) dns?.close();
    janitor.tell(`session ${sessionId}`);
    markDirty();
    loadRules(['-e 1', `-b ${Math.max(RUN_BACKLOG, before.backlogLimit)}`, ...ruleLines(key, { sessionId })]);
    const run = follow(wrapper, sessionId, key, janitor, receiver, before.lost, stub ? dns : undefined);
    return { ...run, onDns: listen, ...(stub && dns ? { dnsStub: dns.address } : {}) };
  } catch (err) {
    wrapper.child.stdin!.destroy(); // its `read go` fails: it exits without running the command
    dns?.close();
    await receiver?.stop();
    await janitor?.finish();
    throw err;
  }
}

interface Wrapper {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The new audit session's id and whether the stub's resolv.conf is in place; undefined when the shell could not make a session. */
  started: Promise<{ sessionId: number; stub: boolean } | undefined>;
}

/**
 * The command's shell, in a private mount namespace when the DNS stub runs (its resolv.conf is
 * bound over /etc/resolv.conf there only): unshare(2) and the mount happen before the rules, in
 * the same process that then execs the command.
 */
function startWrapper(command: string[], resolvConf: string | undefined): Wrapper {
  // The stub's resolv.conf is bound over /etc/resolv.conf only in a mount namespace of the
  // command's own: without unshare it would be the whole machine's, and stay so.
  const privateMounts = !!resolvConf && findOnPath('unshare') !== undefined;
  const shell = ['sh', '-c', WRAPPER, 'sh', String(process.getuid?.() ?? 0), privateMounts ? resolvConf : '', ...command];
  const [file, ...args] = privateMounts ? ['unshare', '--mount', '--propagation', 'private', '--', ...shell] : shell;
  const child = spawn(file!, args, {
    stdio: ['pipe', process.stderr, 'inherit', 0, 'pipe'],
  });
  // Ctrl-C reaches the held shell too: writing its `go` then fails (EPIPE). Its exit is what
  // reports that, so the failed write is not an error of the sensor's.
  child.stdin!.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', () => resolve({ code: 127, signal: null }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const started = new Promise<{ sessionId: number; stub: boolean } | undefined>((resolve) => {
    const lines = createInterface({ input: child.stdio[4] as NodeJS.ReadableStream });
    lines.once('line', (line) => {
      const m = /^(\d+) (yes|no)$/.exec(line);
      resolve(m ? { sessionId: Number(m[1]), stub: m[2] === 'yes' } : undefined);
    });
    lines.once('close', () => resolve(undefined));
  });
  return { child, exited, started };
}

/** Reads the records, from the command's `go` until the mark after its tree's end. */
function follow(wrapper: Wrapper, sessionId: number, key: string, janitor: Janitor, receiver: Receiver, lostBefore: number, dns: DnsStub | undefined): Omit<AuditRun, 'onDns' | 'dnsStub'> {
  const marker = new EndMarker(`supplywatch-end ${key}`);
  receiver.socket.pipe(marker);
  const output = new TraceReader(EARLY_TRACE_CAP, TRACE_READ_GAP_MS);
  output.attach(marker);
  // The receiver stopping (auditd killed) ends the stream too: the run reports it incomplete.
  receiver.socket.once('close', () => marker.cut());
  receiver.socket.on('error', () => marker.cut());
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));

  // Only a command let go is followed to its end (`abort` stops one never let go).
  const drained = released.then(() => wrapper.exited).then(async () => {
    while (sessionMembers(sessionId).length > 0) await new Promise((r) => setTimeout(r, TREE_POLL_MS));
    marker.arm();
    sendMark(marker.text);
    const timer = setTimeout(() => marker.cut(), END_TIMEOUT_MS);
    const found = await marker.finished;
    clearTimeout(timer);
    return found;
  });
  return {
    key,
    sessionId,
    rootPid: wrapper.child.pid!,
    output,
    exited: wrapper.exited,
    livePids: () => sessionMembers(sessionId),
    go: () => {
      wrapper.child.stdin!.end('go\n');
      release();
    },
    abort: async () => {
      wrapper.child.stdin!.destroy();
      receiver.socket.destroy();
      dns?.close();
      await receiver.stop();
      await janitor.finish();
    },
    cleanup: async () => {
      const complete = await drained;
      const lost = recordsLostSince(lostBefore);
      receiver.socket.destroy();
      receiver.auditd.unref();
      dns?.close();
      // The janitor stops auditd and removes the rules (janitor.ts: why this is not waited for).
      janitor.release();
      return { complete, lost };
    },
  };
}

function ownerText(): string {
  try {
    const [what, pid] = readFileSync(OWNER_PATH, 'utf8').trim().split(' ');
    return `the audit receiver is in use by supplywatch ${what} (pid ${pid})`;
  } catch {
    return 'the audit receiver is in use by another supplywatch sensor';
  }
}
