import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const MIRROR_INSTALL = 'eval-corpus/benign/internal-mirror-install-linux.ndjson';

describe('supplywatch scan --config', () => {
  it('declared mirrors silence the mirror install; without the config it alerts', async () => {
    const untuned = await runCli(['scan', '-r', 'hardened', '-f', 'jsonl', '-q', MIRROR_INSTALL]);
    expect(untuned.status).toBe(1);
    expect(untuned.stdout.trim().split('\n').length).toBeGreaterThan(0);
    const tuned = await runCli(['scan', '-r', 'hardened', '-f', 'jsonl', '-q', '--config', 'eval-corpus/supplywatch.yaml', MIRROR_INSTALL]);
    expect(tuned.status, tuned.stderr).toBe(0);
    expect(tuned.stdout).toBe('');
  });

  it('reads a config saved as UTF-16 (as a Windows editor saves "Unicode") as its UTF-8 copy', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'sw-config-')), 'supplywatch.yaml');
    writeFileSync(config, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync('eval-corpus/supplywatch.yaml', 'utf8'), 'utf16le')]));
    const tuned = await runCli(['scan', '-r', 'hardened', '-f', 'jsonl', '-q', '--config', config, MIRROR_INSTALL]);
    expect(tuned.status, tuned.stderr).toBe(0);
    expect(tuned.stdout).toBe('');
  });

  it('overrides levels and suppresses by rule, host and command until the expiry date', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-config-'));
    const config = join(dir, 'supplywatch.yaml');
    writeFileSync(config, [
      'levels:',
      '  8de50b45-a2cd-4c3d-b298-e6c7d6cd6c78: low',
      'suppressions:',
      '  - rule: "*Non-Registry Host*"',
      '    host: ci-agent-12',
      '    expires: 2026-12-31',
      '  - rule: 73834c59-72aa-4ddd-8116-c5a7e8c47afe',
      '    expires: 2026-12-31',
      '  - rule: 8de50b45-a2cd-4c3d-b298-e6c7d6cd6c78',
      '    command: "*pypi-remote*"',
      '    expires: 2026-12-31',
    ].join('\n'));
    const res = await runCli(['scan', '-r', 'hardened', '-f', 'jsonl', '-q', '--now', '2026-06-01T00:00:00Z', '--config', config, MIRROR_INSTALL]);
    const alerts = res.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { rule: { id: string; level: string }; fields: { CommandLine?: string } });
    // Left: the npm --registry alert (the pip one is suppressed by command), re-levelled.
    expect(alerts.map((a) => [a.rule.id, a.rule.level])).toEqual([['8de50b45-a2cd-4c3d-b298-e6c7d6cd6c78', 'low']]);
    expect(alerts[0]!.fields.CommandLine).toContain('npm ci');
    // After the expiry date the suppressions no longer apply.
    const later = await runCli(['scan', '-r', 'hardened', '-f', 'jsonl', '-q', '--now', '2027-01-01T00:00:00Z', '--config', config, MIRROR_INSTALL]);
    // node reaching the undeclared mirror by name is a low hunting alert (two installs), beside the two --registry alerts.
    expect(later.stdout.trim().split('\n')).toHaveLength(4);
    expect(later.stderr).toContain(`${config}:4: suppression expired on 2026-12-31; ignored`);
  });

  it('rejects a bad config with file:line:column and exit status 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-config-bad-'));
    const config = join(dir, 'supplywatch.yaml');
    writeFileSync(config, 'registries:\n  mirrors: [not a url]\n');
    const res = await runCli(['scan', '-r', 'hardened', '--config', config, MIRROR_INSTALL]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(`${config}:2:13: mirror 'not a url' is not a URL`);
  });

  it('prints every config problem on its own line, escaped, with exit status 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-config-'));
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, '"bad\u001b[31mkey": 1\ncolour: red\n');
    const res = await runCli(['scan', '-q', '--config', config, 'samples/']);
    expect(res.status).toBe(2);
    expect(res.stderr).not.toContain('\u001b');
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^supplywatch: .*bad\.yaml:1:1: unknown key 'bad\\u001b\[31mkey'/);
    expect(lines[1]).toMatch(/bad\.yaml:2:1: unknown key 'colour'/);
  });

  it('names a missing config file without a made-up position', async () => {
    const res = await runCli(['scan', '-q', '--config', '/nonexistent/nope.yaml', 'samples/']);
    expect(res.status).toBe(2);
    expect(res.stderr.trim()).toBe('supplywatch: /nonexistent/nope.yaml: cannot read the config: no such file');
  });
});
