import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditFloor } from './audit-floor.js';
import { median } from './median.js';
import { findStrace, straceArgs } from '../sensor/strace-launcher.js';

/**
 * Overhead of `supplywatch run` (issue 4 §5): wall time of a real `npm install` of packages
 * with install scripts (esbuild: postinstall `node install.js`, which copies and runs the
 * platform binary; vite brings esbuild and rollup; typescript adds a large package), with and
 * without the sensor, alternated, 5 rounds; the median of the per-round ratios. Packages come
 * from the npm cache (one untimed warm-up install, then --prefer-offline), so the network does
 * not dominate. Target: ratio ≤ 1.15.
 *
 * A third side, bare strace with the sensor's own arguments writing to /dev/null, is the floor:
 * what ptrace costs before supplywatch parses anything. The gap between it and `run` is ours
 * (start-up, rule loading, parsing, detection, FIFO back-pressure).
 *
 * A fourth side is `run --sensor audit` (issue 25): the kernel's audit, filtered in the kernel by
 * session and open flags, stops no process; target ratio ≤ 1.05. Its CPU column misses the
 * private auditd's own CPU (a detached process, not a waited-for child of the bench). A fifth,
 * its floor, is the same rules on the same session with an auditd that keeps nothing, and no
 * supplywatch (audit-floor.ts).
 *
 * CPU time (user + system of the waited-for tree) is reported beside wall time: on a shared machine
 * wall time swings with other load, CPU time much less, and on 2 cores every CPU second the
 * sensor uses is taken from npm.
 */
const PACKAGES = ['esbuild@0.24.0', 'vite@5.4.10', 'typescript@5.6.3'];
const NPM_ARGS = ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--prefer-offline', ...PACKAGES];
const ROUNDS = 5;

type Side = 'plain' | 'strace' | 'run' | 'audit' | 'auditFloor';
const SIDES: Side[] = ['plain', 'strace', 'run', 'audit', 'auditFloor'];

/**
 * CPU seconds used by the waited-for children of this process so far (user + system, from
 * /proc/self/stat: cutime and cstime, in clock ticks of 1/100 s on Linux).
 */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function install(cli: string, dir: string, side: Side): { wall: number; cpu: number } {
  rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
  rmSync(join(dir, 'package-lock.json'), { force: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"bench-sensor","version":"1.0.0"}\n');
  const [cmd, args]: [string, string[]] =
    side === 'run' || side === 'audit' ? [process.execPath, [cli, 'run', '-q', '--sensor', side === 'run' ? 'strace' : 'audit', '--rules', 'seed', '--format', 'jsonl', '--', 'npm', ...NPM_ARGS]]
    : side === 'strace' ? [findStrace() ?? 'strace', straceArgs('/dev/null', ['npm', ...NPM_ARGS])]
    : ['npm', NPM_ARGS];
  const cpu = childrenCpu();
  if (side === 'auditFloor') return { wall: auditFloor(['npm', ...NPM_ARGS], dir), cpu: childrenCpu() - cpu };
  const started = performance.now();
  const r = spawnSync(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wall = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${side === 'plain' ? '' : `${side} -- `}npm install ${PACKAGES.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { wall, cpu: childrenCpu() - cpu };
}

/** One line for the bench table. */
export function sensorOverhead(cli: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'supplywatch-bench-sensor-'));
  try {
    install(cli, dir, 'plain'); // warm the npm cache
    const times: Record<Side, Array<{ wall: number; cpu: number }>> = { plain: [], strace: [], run: [], audit: [], auditFloor: [] };
    for (let i = 0; i < ROUNDS; i++) {
      // Rotate which side goes first, so drift (cache, CPU frequency, other load) favours none.
      for (let k = 0; k < SIDES.length; k++) {
        const side = SIDES[(i + k) % SIDES.length]!;
        times[side].push(install(cli, dir, side));
      }
    }
    const wall = (side: Side) => median(times[side].map((t) => t.wall)).toFixed(2);
    const cpu = (side: Side) => median(times[side].map((t) => t.cpu)).toFixed(2);
    const ratio = (side: Side, of: 'wall' | 'cpu') => median(times[side].map((t, i) => t[of] / times.plain[i]![of])).toFixed(2);
    return [
      `run -- npm install esbuild, vite, typescript (${ROUNDS} rounds)`,
      `plain median ${wall('plain')} s; run --sensor audit ${wall('audit')} s, median ratio ${ratio('audit', 'wall')} (target ≤ 1.05; floor, the rules alone: ${wall('auditFloor')} s, ratio ${ratio('auditFloor', 'wall')});`,
      `run --sensor strace ${wall('run')} s, ratio ${ratio('run', 'wall')} (target ≤ 1.15; floor, bare strace: ${wall('strace')} s, ratio ${ratio('strace', 'wall')})`,
      `CPU plain ${cpu('plain')} s, audit ${cpu('audit')} s (ratio ${ratio('audit', 'cpu')}, auditd not included), strace ${cpu('strace')} s (ratio ${ratio('strace', 'cpu')}), run --sensor strace ${cpu('run')} s (ratio ${ratio('run', 'cpu')})`,
    ].join('  ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node dist/bench/sensor.js` runs this row alone, with the command users run (package.json
// `bin`: the bundle, as `npm run bench` measures it), not the unbundled tsc output, whose ~175
// module files cost ~60 ms more before the command can start.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(sensorOverhead(join(process.argv[1]!, '..', '..', 'bin', 'supplywatch.js')) + '\n');
}
