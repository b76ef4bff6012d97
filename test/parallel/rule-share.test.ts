import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClaimedFiles, RuleShare } from '../../src/parallel/rule-share.js';
import type { LoadMessage } from '../../src/parallel/protocol.js';
import { loadRules, type LoadHooks, type LoadResult } from '../../src/sigma/index.js';

/** Rule files of every kind the loader treats differently. */
function ruleDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sw-share-'));
  const rule = (title: string, image: string) =>
    `title: ${title}\nid: ${title}\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  sel:\n    Image|endswith: '${image}'\n  condition: sel\n`;
  for (const [i, name] of ['a', 'd', 'e', 'f', 'h', 'i', 'j'].entries()) writeFileSync(join(dir, `${name}.yml`), rule(`plain-${name}`, `\\tool${i}.exe`));
  writeFileSync(join(dir, 'b.yml'), rule('bad-modifier', 'x').replace('Image|endswith', 'Image|sideways'));
  writeFileSync(join(dir, 'c.yml'), `action: global\nlogsource:\n  category: process_creation\n---\n${rule('global-a', 'y').replace(/logsource:\n.*\n.*\n/, '')}`);
  writeFileSync(join(dir, 'g.yml'), 'title: [unclosed\n');
  writeFileSync(join(dir, 'k.yml'), `${rule('two-a', 'p')}---\n${rule('two-b', 'q')}`);
  // Saved as "Unicode" by a Windows editor: UTF-16LE with a byte order mark.
  writeFileSync(join(dir, 'l.yml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rule('utf16', '\\tool9.exe'), 'utf16le')]));
  return dir;
}

const summary = (r: LoadResult) => ({
  rules: r.rules.map((rule) => `${rule.file}:${rule.line}:${rule.id}:${rule.title}`),
  rejected: r.rejected,
  warnings: r.warnings,
});

/** A load whose `share` is answered by `worker`, run in this thread on the message a real worker would get. */
async function sharedLoad(paths: string[], worker: (message: Extract<LoadMessage, { type: 'parse' }>, share: RuleShare, mainFiles: number) => void) {
  let message: Extract<LoadMessage, { type: 'parse' }> | undefined;
  const share = new RuleShare((m) => {
    if (m.type === 'parse') message = m;
  });
  const parsedBy: Array<number | undefined> = [];
  const hooks: LoadHooks = {
    share: (files) => share.share(files),
    onFile: (_, by) => {
      parsedBy.push(by);
      worker(message!, share, parsedBy.length);
    },
  };
  return { result: await loadRules(paths, hooks), parsedBy };
}

const answerAll = (message: Extract<LoadMessage, { type: 'parse' }>, share: RuleShare) =>
  parseClaimedFiles(message, (reply) => reply.type === 'parsed' && share.answer(1, structuredClone(reply)));

describe('rule files parsed by a worker during the load (rule-share.ts)', () => {
  it('a worker that joins after the first file takes the rest from the back: the load is the same, problems included', async () => {
    const dir = ruleDir();
    const alone = summary(await loadRules([dir]));
    expect(alone.rejected.map((p) => p.reason)).toEqual([expect.stringContaining('sideways'), expect.stringContaining('YAML syntax error')]);
    const { result, parsedBy } = await sharedLoad([dir], (message, share, mainFiles) => mainFiles === 1 && answerAll(message, share));
    expect(summary(result)).toEqual(alone);
    // The worker's plain files come from it; the global-action file is read again by the main thread.
    expect(parsedBy[0]).toBeUndefined();
    expect(parsedBy.filter((by) => by === 1).length).toBeGreaterThanOrEqual(6);
    expect(result.rules.find((r) => r.id === 'global-a')).toBeDefined();
    // The UTF-16 file, last in order, is the first the worker claims, and it reads it as the main thread would.
    expect(result.rules.at(-1)?.id).toBe('utf16');
    expect(parsedBy.at(-1)).toBe(1);
  });

  it('the repository rule packs load the same with a worker parsing half of them', async () => {
    const alone = summary(await loadRules(['rules']));
    let joined = false;
    const { result, parsedBy } = await sharedLoad(['rules'], (message, share, mainFiles) => {
      if (joined || mainFiles < alone.rules.length / 4) return;
      joined = true;
      answerAll(message, share);
    });
    expect(summary(result)).toEqual(alone);
    expect(parsedBy.filter((by) => by === 1).length).toBeGreaterThan(alone.rules.length / 2);
  });

  it('files a failed worker claimed are parsed by the main thread: the load neither hangs nor loses them', async () => {
    const dir = ruleDir();
    const alone = summary(await loadRules([dir]));
    const { result, parsedBy } = await sharedLoad([dir], (message, share, mainFiles) => {
      if (mainFiles !== 1) return;
      parseClaimedFiles(message, () => {}); // claims every other file, answers none
      setTimeout(() => share.workerFailed(), 10);
    });
    expect(summary(result)).toEqual(alone);
    expect(parsedBy.every((by) => by === undefined)).toBe(true);
  });
});
