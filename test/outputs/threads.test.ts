import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeEvents } from '../../src/bench/generate.js';
import { runCli } from '../helpers/cli.js';

/**
 * `--output` on one thread and on two: each output file byte for byte the same, and stdout
 * (`--format`) the same as a scan without --output. Workers format every output's part of each
 * alert (outputs/multiplex.ts); the main thread splits them in final order.
 */
const dir = mkdtempSync(join(tmpdir(), 'sw-outputs-threads-'));
const input = join(dir, 'big.ndjson');
const rules = join(dir, 'rules');
const FORMATS = ['leef', 'cef', 'sarif', 'github', 'summary', 'ecs', 'html'];

beforeAll(async () => {
  await writeEvents(input, 40_000); // ~50 MB: above the --threads threshold, several ranges
  mkdirSync(rules);
  writeFileSync(join(rules, 'shells.yml'), `title: Shell | scripting host
id: 66666666-0000-4000-8000-000000000001
level: low
logsource: {category: process_creation, product: windows}
detection: {sel: {Image|endswith: ['\\\\cmd.exe', '\\\\powershell.exe']}, condition: sel}
`);
}, 60_000);

function outputs(tag: string): string[] {
  return FORMATS.flatMap((f) => ['--output', `${f}:${join(dir, `${tag}.${f}`)}`]);
}

describe('--output with worker threads', () => {
  it('writes the same files on one thread and two, and stdout as without --output', { timeout: 180_000 }, async () => {
    const [plain, one, two] = await Promise.all([
      runCli(['scan', input, '--rules', rules, '--format', 'jsonl', '--threads', '2', '-q']),
      runCli(['scan', input, '--rules', rules, '--format', 'jsonl', '--threads', '1', '-q', ...outputs('one')]),
      runCli(['scan', input, '--rules', rules, '--format', 'jsonl', '--threads', '2', '-q', ...outputs('two')]),
    ]);
    expect(plain.status).toBe(1);
    expect(one.stdout).toBe(plain.stdout);
    expect(two.stdout).toBe(plain.stdout);
    const alerts = plain.stdout.split('\n').length - 1;
    expect(alerts).toBeGreaterThan(3_000);
    for (const format of FORMATS) {
      const a = readFileSync(join(dir, `one.${format}`), 'utf8');
      expect(readFileSync(join(dir, `two.${format}`), 'utf8'), format).toBe(a);
    }
    expect(readFileSync(join(dir, 'two.leef'), 'utf8').split('\n').length - 1).toBe(alerts);
  });
});
