import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('supplywatch rules lint', () => {
  it('says per rule loaded or rejected, with file:line:column and the reason', async () => {
    const r = await runCli(['rules', 'lint', join('test/fixtures/cli', 'bad-rule.yml')]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ok +test\/fixtures\/cli\/bad-rule\.yml:9: A good rule in the same file \(0b4e6c0c-/);
    expect(lines[1]).toMatch(/^rejected test\/fixtures\/cli\/bad-rule\.yml:6:5: .*'sometimes'/);
    expect(r.stderr).toContain('1 loaded, 1 rejected');
  });

  it('accepts the seed pack rules (pack.yml is not a rule; arm 3 has no category, a warning)', async () => {
    const r = await runCli(['rules', 'lint', 'rules/t1195.001/seed/arm1-package-manager-suspicious-child.yml', 'rules/t1195.001/seed/arm3-cicd-pipeline-file.yml']);
    expect(r.status).toBe(0);
    expect(r.stdout.match(/^ok /gm)).toHaveLength(2);
    expect(r.stdout).toMatch(/^warning .*arm3-cicd-pipeline-file\.yml/m);
  });
});

describe('supplywatch rules lint on the built-in rule folder', () => {
  it('loads every rule of every pack; pack.yml manifests are not taken for rules', async () => {
    const r = await runCli(['rules', 'lint', 'rules/']);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('pack.yml');
    expect(r.stderr).toMatch(/ 0 rejected/);
  });
});
