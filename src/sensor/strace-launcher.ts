import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, open, openSync, closeSync, rmSync } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import type { DuplexOptions } from 'node:stream';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { TraceReader } from './trace-reader.js';

/**
 * Starts `strace -f --seccomp-bpf … -o FIFO -- command` and streams its output.
 *
 * strace writes to a FIFO it opens itself, so the traced command never inherits the descriptor
 * (an inherited pipe would let the install script write fake trace lines). With --seccomp-bpf
 * only the listed system calls stop the tracee; everything else runs at full speed.
 */

/**
 * What the rules need: process creation, cwd, connections and DNS queries, file writes; plus
 * `set_robust_list`, which no rule needs (the event builder drops it) but which makes the rest
 * cheap. strace (6.1 as in Debian 12, and upstream as of 6.8) only resumes a new thread or
 * process with PTRACE_CONT, letting its untraced calls run free, after that tracee's first
 * seccomp stop; until then it resumes it with PTRACE_SYSCALL, stopping it twice on every call.
 * A worker thread that only ever calls futex stays fully traced for its whole life: that was
 * most of strace's cost on `npm install` (1,335 extra call entries, 11,100 ptrace requests). glibc
 * calls set_robust_list first thing in every new thread and in fork children, so tracing it
 * costs one line per thread and moves each one to the cheap mode at once (7,200 ptrace requests;
 * docs/sensor.md has the measurements).
 */
export const TRACED_SYSCALLS = [
  'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat',
  'chdir',
  'connect', 'sendto', 'sendmsg', 'sendmmsg',
  'open', 'openat', 'openat2', 'creat', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'symlink', 'symlinkat',
  'set_robust_list',
];

export function straceArgs(fifo: string, command: string[]): string[] {
  return [
    '-f', '--seccomp-bpf',
    // -q (not -qq): keeps the `+++ exited with N +++` lines, the proof the command ended
    // while strace was still watching.
    '-q',
    '-ttt',
    // argv and DNS query buffers must not be cut.
    '-s', '65535',
    // Signals stay traced (a few `--- SIGCHLD ---` lines): with -e signal=none strace would
    // also drop the `+++ killed by SIGKILL +++` line of a killed process.
    // `?`: a call this architecture lacks (open, fork, rename on arm64) is not an error.
    '-e', `trace=${TRACED_SYSCALLS.map((s) => `?${s}`).join(',')}`,
    '-o', fifo,
    '--', ...command,
  ];
}

export const STRACE_INSTALL_HINT =
  'install it with: sudo apt-get install strace (Debian, Ubuntu) · sudo dnf install strace (Fedora, RHEL) · sudo apk add strace (Alpine)';

/** The strace binary: $SUPPLYWATCH_STRACE if set, else the first `strace` on PATH. */
export function findStrace(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.SUPPLYWATCH_STRACE) return isExecutable(env.SUPPLYWATCH_STRACE) ? env.SUPPLYWATCH_STRACE : undefined;
  return findOnPath('strace', env);
}

/** What a shell would run for `name`, or undefined (command not found). */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir || '.', name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * strace's output held before the detector is ready: the command starts before the rules are
 * compiled (that takes longer than node's own start-up), so whatever it does meanwhile waits
 * here. 16 MiB is about 80,000 trace lines, far more than an install produces while rules load.
 */
export const EARLY_TRACE_CAP = 16 << 20;

/** How long reading the FIFO pauses after each read, to take strace's small writes in batches. */
export const TRACE_READ_GAP_MS = 5;

/**
 * net.Socket passes its options on to stream.Duplex, which takes `readableHighWaterMark`
 * (Node's typings for the constructor leave it out).
 */
function fifoSocketOptions(fd: number): SocketConstructorOpts {
  const options: SocketConstructorOpts & DuplexOptions = { fd, readable: true, writable: false, readableHighWaterMark: 1 };
  return options;
}

export interface TraceSession {
  strace: ChildProcess;
  /** strace's full command line (the traced command's parent). */
  argv: string[];
  /** strace's output, read from the start and held (bounded) until taken. */
  output: TraceReader;
  /** Resolves when strace has exited (code or signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  cleanup(): void;
}

/**
 * Spawns strace and opens the FIFO. The command's stdout goes to our stderr, so stdout carries
 * only alerts. If strace exits without ever opening the FIFO (bad option, ptrace refused), the
 * pending open is released by opening the write end ourselves, so the reader sees end of file.
 *
 * The FIFO is opened blocking (in libuv's thread pool: the open returns once strace opens its
 * end), then read as a non-blocking pipe through the event loop. A file ReadStream would instead
 * send every read to the thread pool and allocate a 64 KiB buffer per read, and strace writes
 * each line in two writes (the call at entry, the result at exit): reading the FIFO that way cost
 * twice the CPU per trace line.
 */
export function launchStrace(strace: string, command: string[], cap = EARLY_TRACE_CAP): TraceSession {
  const dir = mkdtempSync(join(tmpdir(), 'supplywatch-run-'));
  const fifo = join(dir, 'trace.fifo');
  const made = spawnSync('mkfifo', ['-m', '600', fifo], { encoding: 'utf8' });
  if (made.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot create the FIFO ${fifo}: ${made.error?.message ?? made.stderr.trim()}`);
  }
  const output = new TraceReader(cap, TRACE_READ_GAP_MS);
  let opened = false;
  open(fifo, constants.O_RDONLY, (err, fd) => {
    opened = true;
    if (err) output.fail(err);
    else output.attach(new Socket(fifoSocketOptions(fd)));
  });
  const args = straceArgs(fifo, command);
  const child = spawn(strace, args, { stdio: ['inherit', process.stderr, 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', () => resolve({ code: null, signal: null }));
    child.once('exit', (code, signal) => {
      if (!opened) {
        try {
          closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
        } catch {
          // The reader is not waiting (already at end of file): nothing to release.
        }
      }
      resolve({ code, signal });
    });
  });
  return { strace: child, argv: [strace, ...args], output, exited, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
