import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-helper-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `count` rule files, one with an unknown modifier and one with a YAML error among them. */
function ruleFiles(name: string, count: number): string {
  const folder = join(dir, name);
  const rule = (i: number) =>
    `title: rule ${i}\nid: r${i}\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  sel:\n    Image|endswith: '\\tool${i}.exe'\n  condition: sel\n`;
  mkdirSync(folder);
  for (let i = 0; i < count; i++) writeFileSync(join(folder, `r${String(i).padStart(4, '0')}.yml`), rule(i));
  writeFileSync(join(folder, 'r0010.yml'), rule(10).replace('Image|endswith', 'Image|sideways'));
  writeFileSync(join(folder, 'r0020.yml'), 'title: [unclosed\n');
  return folder;
}

/**
 * Loads `folder` in a child process (the helper is a real worker thread, started from the built
 * code) alone and with a parse helper: both results, and how many files the helper parsed.
 */
function load(folder: string): { alone: unknown; helped: unknown; parsed: number } {
  const url = (path: string) => JSON.stringify(pathToFileURL(`${REPO}dist/${path}`).href);
  const script = `
    const { loadRules } = await import(${url('sigma/index.js')});
    const { startParseHelper } = await import(${url('parallel/pool.js')});
    const summary = (r) => ({ rules: r.rules.map((x) => x.file + ':' + x.line + ':' + x.id), rejected: r.rejected, warnings: r.warnings });
    // Helped first: cold, the main thread is slow enough for the helper to start and take files.
    const helper = startParseHelper();
    let helped;
    try {
      helped = summary(await loadRules([${JSON.stringify(folder)}], helper.loadHooks));
    } finally {
      await helper.close();
    }
    const alone = summary(await loadRules([${JSON.stringify(folder)}]));
    console.log(JSON.stringify({ alone, helped, parsed: helper.parsed() }));`;
  // A script file, not -e: a worker inherits the parent's --input-type=module, and fails with it.
  const file = join(dir, 'load.mjs');
  writeFileSync(file, script);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { alone: unknown; helped: unknown; parsed: number };
}

describe('parse helper: a worker that parses rule files for a one-thread scan (pool.ts)', () => {
  it('parses some files of a large load, and the load is the same as without it, problems included', { timeout: 15_000 }, () => {
    const { alone, helped, parsed } = load(ruleFiles('large', 3000));
    expect(helped).toEqual(alone);
    expect((alone as { rules: unknown[] }).rules).toHaveLength(2998);
    expect((alone as { rejected: unknown[] }).rejected).toHaveLength(2);
    expect(parsed).toBeGreaterThan(0);
  });

  it('is not started for a small load', () => {
    const { alone, helped, parsed } = load(ruleFiles('small', 20));
    expect(helped).toEqual(alone);
    expect(parsed).toBe(0);
  });
});
