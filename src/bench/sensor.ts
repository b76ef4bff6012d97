import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Overhead of `supplywatch run` (issue 4 §5): wall time of a real `npm install` of packages
 * with install scripts (esbuild: postinstall `node install.js`, which copies and runs the
 * platform binary; vite brings esbuild and rollup; typescript adds a large package), with and
 * without the sensor, alternated, 5 pairs; the median of the per-pair ratios. Packages come
 * from the npm cache (one untimed warm-up install, then --prefer-offline), so the network does
 * not dominate. Target: ratio ≤ 1.15.
 */
const PACKAGES = ['esbuild@0.24.0', 'vite@5.4.10', 'typescript@5.6.3'];
const NPM_ARGS = ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--prefer-offline', ...PACKAGES];
const PAIRS = 5;

function install(cli: string, dir: string, sensor: boolean): number {
  rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
  rmSync(join(dir, 'package-lock.json'), { force: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"bench-sensor","version":"1.0.0"}\n');
  const [cmd, args] = sensor ? [process.execPath, [cli, 'run', '-q', '--rules', 'seed', '--format', 'jsonl', '--', 'npm', ...NPM_ARGS]] : ['npm', NPM_ARGS];
  const started = performance.now();
  const r = spawnSync(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${sensor ? 'supplywatch run -- ' : ''}npm install ${PACKAGES.join(' ')} failed (${r.status}): ${r.stderr}`);
  return seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One line for the bench table. */
export function sensorOverhead(cli: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'supplywatch-bench-sensor-'));
  try {
    install(cli, dir, false); // warm the npm cache
    const plain: number[] = [];
    const traced: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      // Alternate which goes first, so drift (cache, CPU frequency) does not favour one side.
      if (i % 2 === 0) {
        plain.push(install(cli, dir, false));
        traced.push(install(cli, dir, true));
      } else {
        traced.push(install(cli, dir, true));
        plain.push(install(cli, dir, false));
      }
    }
    const ratio = median(traced.map((t, i) => t / plain[i]!));
    return [
      `run -- npm install esbuild, vite, typescript (${PAIRS} pairs)`,
      `plain median ${median(plain).toFixed(2)} s, under run ${median(traced).toFixed(2)} s, median ratio ${ratio.toFixed(2)}`,
      'target ratio ≤ 1.15',
    ].join('  ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node dist/bench/sensor.js` runs this row alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(sensorOverhead(join(process.argv[1]!, '..', '..', 'cli', 'main.js')) + '\n');
}
