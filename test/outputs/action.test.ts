import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { CLI, REPO, requireShared } from '../helpers/cli.js';

/**
 * The composite action's script (scripts/github-action.sh), run as the runner would: a faked
 * GitHub environment (files for GITHUB_STEP_SUMMARY and GITHUB_OUTPUT), the built command, and
 * an install that writes a workflow file, which the test's rule catches.
 */
const RULE = `title: Workflow file written during install
id: 77777777-0000-4000-8000-000000000001
level: high
logsource: {category: file_event, product: linux}
detection: {sel: {TargetFilename|contains: '/.github/workflows/'}, condition: sel}
`;

function runAction(extraEnv: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'sw-action-'));
  const rules = join(dir, 'rules');
  mkdirSync(rules);
  writeFileSync(join(rules, 'workflow.yml'), RULE);
  const work = join(dir, 'work');
  mkdirSync(work);
  const summary = join(dir, 'step-summary.md');
  const output = join(dir, 'github-output');
  writeFileSync(summary, 'from an earlier step\n');
  writeFileSync(output, '');
  const result = spawnSync('bash', [join(REPO, 'scripts/github-action.sh')], {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      GITHUB_WORKSPACE: work,
      SUPPLYWATCH_BIN: `${process.execPath} ${CLI}`,
      SUPPLYWATCH_INSTALL: "mkdir -p .github/workflows && echo 'on: push' > .github/workflows/ci.yml",
      SUPPLYWATCH_RULES: rules,
      SUPPLYWATCH_SARIF: 'results.sarif',
      ...extraEnv,
    },
  });
  return { ...result, work, summary: readFileSync(summary, 'utf8'), outputs: readFileSync(output, 'utf8') };
}

describe('the GitHub Action script', () => {
  it('annotates, appends the job summary, writes SARIF and the step outputs, and fails on alerts', { timeout: 60_000 }, () => {
    const run = runAction({});
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^::error title=supplywatch%3A Workflow file written during install \(high\),file=/m);
    expect(run.summary.startsWith('from an earlier step\n## supplywatch: 1 alert\n')).toBe(true);
    expect(run.outputs).toBe('sarif=results.sarif\nalerts=1\n');
    const sarif = JSON.parse(readFileSync(join(run.work, 'results.sarif'), 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(requireShared('schemas/sarif-schema-2.1.0.json'), 'utf8')) as object);
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.runs[0]!.results.map((r) => r.ruleId)).toEqual(['77777777-0000-4000-8000-000000000001']);
  });

  it('with fail-on-alert false, alerts do not fail the step', { timeout: 60_000 }, () => {
    const run = runAction({ SUPPLYWATCH_FAIL_ON_ALERT: 'false' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.outputs).toContain('alerts=1\n');
  });

  it("an install that fails fails the step with the install's status", { timeout: 60_000 }, () => {
    const run = runAction({ SUPPLYWATCH_INSTALL: 'exit 7' });
    expect(run.status, run.stderr).toBe(7);
    expect(run.outputs).toContain('alerts=0\n');
    expect(run.summary).toContain('## supplywatch: 0 alerts\n');
  });
});
