import { readdirSync, readFileSync } from 'node:fs';

/**
 * The processes of an audit session, from /proc: every descendant of the command carries its
 * session id (`/proc/PID/sessionid`), including processes that detached from the terminal's
 * session. Zombies are left out (ended, only waiting for their parent).
 */
export function sessionMembers(sessionId: number): number[] {
  const wanted = String(sessionId);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/sessionid`, 'latin1') !== wanted) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (stat[stat.lastIndexOf(')') + 2] === 'Z') continue;
      pids.push(Number(name));
    } catch {
      // Ended while the list was read.
    }
  }
  return pids;
}
