import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * The audit receiver is one per machine (the kernel's audit socket takes one daemon), so one
 * sensor at a time uses it: the holder of a `flock` on LOCK_PATH. The lock is held by the
 * janitor, a tiny detached shell (`flock LOCK sh -c JANITOR`) that outlives the sensor:
 *
 * - the sensor tells it, on its stdin, what to undo (`key K`, `session N`, `auditd PID`,
 *   `restore ENABLED BACKLOG`);
 * - when its stdin reaches end of file — the sensor closed it after its own clean-up, or the
 *   sensor died, even by SIGKILL (the kernel closes the pipe) — it removes the rules of the key,
 *   kills what is left of the command's audit session (nothing watches it any more), stops the
 *   private auditd, restores the kernel's enabled flag and backlog limit, and exits, which
 *   releases the lock.
 * - It is detached (its own session and process group): Ctrl-C in the terminal does not reach it.
 *
 * If the janitor itself is killed, the next sensor that takes the lock removes every rule whose
 * key starts with KEY_PREFIX and a private auditd left running (`stale.ts`): under the lock, none
 * of them can belong to a live sensor.
 */
export const LOCK_PATH = '/run/supplywatch-audit.lock';
/** Who holds the lock (`run PID` or `watch PID`), for the message of a sensor that cannot have it. */
export const OWNER_PATH = '/run/supplywatch-audit.owner';
const BUSY = 75;

const JANITOR = `
rm -f "${OWNER_PATH}"
echo locked
key= session= auditd= restore=
while read -r what a b; do
  case $what in
    key) key=$a ;;
    session) session=$a ;;
    auditd) auditd=$a ;;
    restore) restore="-e $a -b $b" ;;
  esac
done
[ -n "$key" ] && auditctl -D -k "$key" >/dev/null 2>&1
if [ -n "$session" ]; then
  for dir in /proc/[0-9]*; do
    [ "$(cat "$dir/sessionid" 2>/dev/null)" = "$session" ] && kill -KILL "\${dir#/proc/}" 2>/dev/null
  done
fi
if [ -n "$auditd" ]; then
  kill -TERM "$auditd" 2>/dev/null
  n=0
  while [ $n -lt 100 ] && [ -e "/proc/$auditd" ] && ! grep -q ') Z' "/proc/$auditd/stat" 2>/dev/null; do sleep 0.05; n=$((n + 1)); done
fi
[ -n "$restore" ] && auditctl $restore >/dev/null 2>&1
# Again: an auditctl the sensor had started may have added a rule after the first removal.
[ -n "$key" ] && auditctl -D -k "$key" >/dev/null 2>&1
rm -f "${OWNER_PATH}"
echo done
`;

export interface Janitor {
  /** Adds a line of what to undo. */
  tell(line: string): void;
  /** Closes its stdin and waits for its clean-up (clean ending). */
  finish(): Promise<void>;
  pid: number;
}

/**
 * Takes the lock through a new janitor: resolves with it, or with undefined when another sensor
 * holds the lock (`waitSeconds` 0: at once; else after waiting that long).
 */
export function takeLock(waitSeconds: number, lockPath = LOCK_PATH): Promise<Janitor | undefined> {
  const wait = waitSeconds > 0 ? ['-w', String(waitSeconds)] : ['-n'];
  const child: ChildProcess = spawn('flock', [...wait, '-E', String(BUSY), lockPath, 'sh', '-c', JANITOR], {
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
        pid: child.pid!,
        tell: (text) => void child.stdin!.write(`${text}\n`),
        finish: async () => {
          child.stdin!.end();
          await exited;
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
