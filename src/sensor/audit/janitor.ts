import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * The audit receiver is one per machine (the kernel's audit socket takes one daemon), so one
 * sensor at a time uses it: the holder of a `flock` on LOCK_PATH. The lock is held by the
 * janitor, a tiny detached shell (`flock LOCK sh -c JANITOR`) that outlives the sensor:
 *
 * - the sensor tells it, on its stdin, what to undo (`key K`, `session N`, `auditd PID`,
 *   `restore ENABLED BACKLOG [WAIT_TIME]`);
 * - when its stdin reaches end of file — the sensor closed it once it had read the run's last
 *   record, or the sensor died, even by SIGKILL (the kernel closes the pipe) — it kills what is
 *   left of the command's audit session (after a crash: nothing watches it any more), stops the
 *   private auditd, removes the rules of the key, restores the kernel's enabled flag and backlog
 *   limit, and exits, which releases the lock.
 * - On a clean end the sensor does not wait for it: removing a rule costs the kernel ~15 ms (8
 *   rules: ~110 ms, one after the other even when asked at once) and the rules can no longer
 *   match anything (the command's session is over, and session ids are never reused). The
 *   janitor finishes within ~0.2 s; a sensor that starts meanwhile sees the lock taken and no
 *   owner, and waits for it (`launchAudit`).
 * - It is detached (its own session and process group): Ctrl-C in the terminal does not reach it.
 *
 * If the janitor itself is killed, the next sensor that takes the lock removes every rule whose
 * key starts with KEY_PREFIX and a private auditd left running (`stale.ts`): under the lock, none
 * of them can belong to a live sensor.
 */
export const LOCK_PATH = '/run/supplywatch-audit.lock';
/**
 * Exists from the loading of a sensor's rules to the end of its janitor's clean-up: found at the
 * start of the next sensor, it means a janitor died before it finished (`stale.ts` then looks for
 * rules to remove; otherwise that auditctl call is spared).
 */
export const DIRTY_PATH = '/run/supplywatch-audit.dirty';

export function markDirty(): void {
  writeFileSync(DIRTY_PATH, '');
}

/** Who holds the lock (`run PID` or `watch PID`, written by the janitor), for the message of a sensor that cannot have it. */
export const OWNER_PATH = '/run/supplywatch-audit.owner';
const BUSY = 75;

const JANITOR = `
echo "$1" > "${OWNER_PATH}"
echo locked
exec >/dev/null
key= session= auditd= restore= dir=
while read -r what rest; do
  case $what in
    key) key=$rest ;;
    session) session=$rest ;;
    auditd) auditd=$rest ;;
    restore) set -- $rest; restore="-e $1 -b $2\${3:+ --backlog_wait_time $3}" ;;
    # The whole rest of the line: a folder under a TMPDIR with spaces is not cut at the first.
    dir) dir=$rest ;;
  esac
done
# No owner while cleaning: a sensor that finds the lock taken and no owner waits a little.
rm -f "${OWNER_PATH}"
if [ -n "$session" ]; then
  for entry in /proc/[0-9]*; do
    s=
    read -r s < "$entry/sessionid" 2>/dev/null
    [ "$s" = "$session" ] && kill -KILL "\${entry#/proc/}" 2>/dev/null
  done
fi
[ -n "$auditd" ] && kill -TERM "$auditd" 2>/dev/null
[ -n "$key" ] && auditctl -D -k "$key" >/dev/null 2>&1
if [ -n "$auditd" ]; then
  n=0
  while [ $n -lt 100 ] && [ -e "/proc/$auditd" ] && ! grep -q ') Z' "/proc/$auditd/stat" 2>/dev/null; do sleep 0.02; n=$((n + 1)); done
fi
[ -n "$restore" ] && auditctl $restore >/dev/null 2>&1
# Again: an auditctl the sensor had started may have added a rule after the first removal.
[ -n "$key" ] && auditctl -D -k "$key" >/dev/null 2>&1
[ -n "$dir" ] && rm -rf "$dir"
rm -f "${DIRTY_PATH}"
`;

export interface Janitor {
  /** Adds a line of what to undo. */
  tell(line: string): void;
  /** Closes its stdin and waits for its clean-up. */
  finish(): Promise<void>;
  /** Closes its stdin and lets it clean up after this process has gone. */
  release(): void;
}

/**
 * Takes the lock through a new janitor: resolves with it, or with undefined when another sensor
 * holds the lock (`waitSeconds` 0: at once; else after waiting that long).
 */
export function takeLock(waitSeconds: number, owner: string, lockPath = LOCK_PATH): Promise<Janitor | undefined> {
  const wait = waitSeconds > 0 ? ['-w', String(waitSeconds)] : ['-n'];
  const child: ChildProcess = spawn('flock', [...wait, '-E', String(BUSY), lockPath, 'sh', '-c', JANITOR, 'janitor', owner], {
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    let locked = false;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.once('error', reject);
    lines.on('line', (line) => {
      if (line !== 'locked' || locked) return;
      locked = true;
      resolve({
        tell: (text) => void child.stdin!.write(`${text}\n`),
        finish: async () => {
          child.stdin!.end();
          await exited;
        },
        release: () => {
          child.stdin!.end();
          child.stdout!.destroy();
          child.unref();
        },
      });
    });
    child.once('exit', (code) => {
      if (locked) return;
      if (code === BUSY) resolve(undefined);
      else reject(new Error(`flock ${lockPath} failed (exit ${code})`));
    });
  });
}
