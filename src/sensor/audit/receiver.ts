import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type IpcNetConnectOpts, type Socket } from 'node:net';
import type { DuplexOptions } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The receiver of audit records: an auditd the sensor starts with a private configuration, for
 * as long as the sensor runs.
 *
 * Why this way: the kernel's audit netlink socket accepts one daemon, and Node cannot open a
 * netlink socket without a native module; auditd is already installed wherever audit is used.
 * The private auditd writes no log (`write_logs = no`: the run's records would otherwise stay on
 * disk, and a log is read by polling); its built-in af_unix dispatcher plugin streams every
 * record as text (the audit.log lines) to a socket in the private folder, which the sensor reads
 * as it reads strace's FIFO. Its dispatcher queue is deep (q_depth) and the kernel's backlog is
 * raised for the run (`run` restores it), so a burst of records waits rather than being lost.
 *
 * The folder's name starts with RECEIVER_PREFIX: a private auditd left running by a dead sensor is
 * recognised by it (its `-c` argument) and stopped by the next sensor.
 */
export const RECEIVER_PREFIX = 'supplywatch-audit-';

export function configText(dir: string): string {
  return [
    'local_events = yes',
    'write_logs = no',
    `log_file = ${join(dir, 'audit.log')}`,
    'log_format = RAW',
    'flush = NONE',
    'freq = 0',
    'q_depth = 65536',
    'overflow_action = SYSLOG',
    'max_restarts = 10',
    `plugin_dir = ${join(dir, 'plugins.d')}`,
    'end_of_event_timeout = 2',
    'name_format = NONE',
    // No log is written: the disk checks have nothing to act on.
    'space_left = 2',
    'admin_space_left = 1',
    'space_left_action = IGNORE',
    'admin_space_left_action = IGNORE',
    'disk_full_action = IGNORE',
    'disk_error_action = IGNORE',
    '',
  ].join('\n');
}

function pluginText(socketPath: string): string {
  return ['active = yes', 'direction = out', 'path = builtin_af_unix', 'type = builtin', `args = 0600 ${socketPath}`, 'format = string', ''].join('\n');
}

export interface Receiver {
  auditd: ChildProcess;
  /** The private folder (configuration, socket). */
  dir: string;
  /** The record stream (text lines as in audit.log). */
  socket: Socket;
  /** Stops auditd and removes the private folder. */
  stop(): Promise<void>;
}

/** How long auditd may take to open its socket. */
const START_TIMEOUT_MS = 5_000;

export async function startReceiver(): Promise<Receiver> {
  const dir = mkdtempSync(join(tmpdir(), RECEIVER_PREFIX));
  mkdirSync(join(dir, 'plugins.d'));
  const socketPath = join(dir, 'events.sock');
  // auditd refuses configuration files that others can write.
  writeFileSync(join(dir, 'auditd.conf'), configText(dir), { mode: 0o600 });
  writeFileSync(join(dir, 'plugins.d', 'af_unix.conf'), pluginText(socketPath), { mode: 0o600 });
  chmodSync(dir, 0o700);
  // Detached: Ctrl-C in the terminal must not stop the receiver before the run's last records.
  const auditd = spawn('auditd', ['-n', '-s', 'enable', '-c', dir], { detached: true, stdio: 'ignore' });
  let gone = false;
  const exited = new Promise<void>((resolve) => {
    auditd.once('error', () => ((gone = true), resolve()));
    auditd.once('exit', () => ((gone = true), resolve()));
  });
  const stop = async () => {
    if (!gone) auditd.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const socket = await connectWhenReady(socketPath, () => gone);
    return { auditd, dir, socket, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function connectWhenReady(path: string, gone: () => boolean): Promise<Socket> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (gone()) throw new Error('auditd exited at start (another audit daemon may hold the audit socket)');
    if (existsSync(path)) {
      const socket = await new Promise<Socket | undefined>((resolve) => {
        // A small buffer, so the reader's pauses reach the socket (see TraceReader.attach).
        const options: IpcNetConnectOpts & DuplexOptions = { path, readableHighWaterMark: 1 };
        const s = connect(options);
        s.once('connect', () => resolve(s));
        s.once('error', () => resolve(undefined));
      });
      if (socket) return socket;
    }
    if (Date.now() > deadline) throw new Error(`auditd did not open ${path} within ${START_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 3));
  }
}
