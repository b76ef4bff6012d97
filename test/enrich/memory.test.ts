import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeEvents } from '../../src/bench/generate.js';
import { CLI, REPO } from '../helpers/cli.js';

const PEAK_RSS = fileURLToPath(new URL('../helpers/peak-rss.mjs', import.meta.url));
/** Issue 23: `dump` and enriching scans within 200 MB whatever the input size. */
const LIMIT_MB = 200;
/** Peak RSS may differ this much between the two sizes (GC timing), far less than it grew before. */
const GROWTH_MB = 25;

/** Peak RSS (MB) of the command, its output thrown away. */
async function peakRss(args: string[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-rss-'));
  const report = join(dir, 'peak');
  const devNull = openSync('/dev/null', 'w');
  try {
    const status = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', PEAK_RSS, CLI, ...args], {
        cwd: REPO, stdio: ['ignore', devNull, 'ignore'], env: { ...process.env, SW_PEAK_RSS_FILE: report },
      });
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(status).toBe(0);
  } finally {
    closeSync(devNull);
  }
  return Number(readFileSync(report, 'utf8')) / 1024;
}

describe('memory of the enriching commands', () => {
  // Both sizes are past the point where the process tree is full (100,000 processes: the stress
  // mix makes a process and a placeholder parent per event), 150 and 450 MB of input.
  const dir = mkdtempSync(join(tmpdir(), 'sw-memory-'));
  const small = join(dir, 'small.ndjson');
  const large = join(dir, 'large.ndjson');

  it('dump stays under the bound and does not grow with the input', async () => {
    await writeEvents(small, 120_000, 'stress');
    await writeEvents(large, 360_000, 'stress');
    const smallPeak = await peakRss(['dump', small]);
    const largePeak = await peakRss(['dump', large]);
    expect(smallPeak).toBeLessThan(LIMIT_MB);
    expect(largePeak).toBeLessThan(LIMIT_MB);
    expect(largePeak - smallPeak).toBeLessThan(GROWTH_MB);
  }, 180_000);

  it('an enriching scan on one thread too (hardened pack)', async () => {
    const smallPeak = await peakRss(['scan', '--threads', '1', '--rules', 'hardened', small]);
    const largePeak = await peakRss(['scan', '--threads', '1', '--rules', 'hardened', large]);
    expect(smallPeak).toBeLessThan(LIMIT_MB);
    expect(largePeak).toBeLessThan(LIMIT_MB);
    expect(largePeak - smallPeak).toBeLessThan(GROWTH_MB);
  }, 180_000);
});
