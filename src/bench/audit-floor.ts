import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_PATH } from '../sensor/audit/janitor.js';
import { configText, RECEIVER_PREFIX } from '../sensor/audit/receiver.js';
import { newKey, ruleLines } from '../sensor/audit/rules.js';
import { RUN_BACKLOG } from '../sensor/audit/session.js';

/**
 * The floor of `run --sensor audit` (bench/sensor.ts): what the kernel's audit costs a command
 * with the sensor's own rules, before supplywatch does anything. An auditd with the receiver's
 * private configuration and no dispatcher plugin takes the records and keeps nothing; the
 * command runs in a fresh audit session, as under `run`, with the rules on that session loaded;
 * only the command is timed. The gap between this and `run --sensor audit` is ours: Node's start-up, the
 * receiver's, parsing, detection, the end of the run.
 *
 * Names follow the sensor's (the rules' key prefix, the receiver's folder), so a bench killed
 * midway leaves nothing the next `run` or `watch` would not clean up.
 */
const SCRIPT = `
dir=$1; key=$2; shift 2
enabled=$(auditctl -s | awk '$1 == "enabled" { print $2 }')
backlog=$(auditctl -s | awk '$1 == "backlog_limit" { print $2 }')
auditd -n -s enable -c "$dir" & auditd=$!
trap 'auditctl -D -k "$key" >/dev/null 2>&1 || true; kill $auditd 2>/dev/null; wait $auditd 2>/dev/null || true; auditctl -b "$backlog" -e "$enabled" >/dev/null 2>&1 || true' EXIT
auditctl -b ${RUN_BACKLOG} >/dev/null
for i in $(seq 100); do auditctl -s | grep -q "^pid $auditd\\$" && break; sleep 0.02; done
l=$(cat /proc/self/loginuid)
[ "$l" = 4294967295 ] && l=0
bash -c '
  echo "$1" > /proc/self/loginuid || exit 1
  s=$(cat /proc/self/sessionid)
  sed "s/-F sessionid=0 /-F sessionid=$s /" "$2" > "$2.now"
  auditctl -R "$2.now" >/dev/null || exit 1
  shift 2
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 ))
' floor "$l" "$dir/rules" "$@"
`;

/** Wall seconds of `command` in cwd under the audit rules alone; throws when the floor cannot be set up (not root, no auditd). */
export function auditFloor(command: string[], cwd: string): number {
  const dir = mkdtempSync(join(tmpdir(), RECEIVER_PREFIX));
  try {
    chmodSync(dir, 0o700);
    mkdirSync(join(dir, 'plugins.d'));
    // The receiver's own configuration, with no dispatcher plugin in its folder.
    writeFileSync(join(dir, 'auditd.conf'), configText(dir), { mode: 0o600 });
    const key = newKey('run');
    // The session is known only inside the script: it puts its own in place of 0.
    writeFileSync(join(dir, 'rules'), ruleLines(key, { sessionId: 0 }).join('\n') + '\n');
    // Under the sensors' machine-wide lock: a run's janitor restores the audit settings after the
    // run has ended, and the floor must neither read them before nor race with it.
    const r = spawnSync('flock', ['-w', '30', LOCK_PATH, 'bash', '-c', SCRIPT, 'audit-floor', dir, key, ...command], { cwd, encoding: 'utf8' });
    const micros = Number(r.stdout.trim().split('\n').pop());
    if (r.status !== 0 || !Number.isFinite(micros)) throw new Error(`audit floor failed (${r.status}): ${r.stderr.trim()}`);
    return micros / 1e6;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
