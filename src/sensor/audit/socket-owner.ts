import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Which of `pids` owns the UDP socket bound to local `port` (the DNS stub's client), from
 * /proc/net/udp{,6} (port → socket inode) and /proc/PID/fd (inode → process). Asked while the
 * client waits for its answer, so the socket is still open. Undefined when none of them has it.
 */
export function udpSocketOwner(port: number, pids: readonly number[]): number | undefined {
  const inode = udpInode(port);
  if (inode === undefined) return undefined;
  const link = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // ended meanwhile
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === link) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

function udpInode(port: number): string | undefined {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns[1]?.endsWith(hex) && columns[9] !== undefined && columns[9] !== '0') return columns[9];
    }
  }
  return undefined;
}
