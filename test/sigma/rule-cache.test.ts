import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { DetNode } from '../../dist/sigma/detection.js';
import { CHECKSUM_LENGTH, framed } from '../../dist/sigma/checked-file.js';
import { loadRules, RuleCache, SigmaRule, type LoadResult } from '../../dist/sigma/index.js';
import { fileStamp } from '../../dist/sigma/rule-cache.js';
import { SigmaString, WILDCARD_MULTI, WILDCARD_SINGLE } from '../../dist/sigma/sigma-string.js';
import { ruleSource } from '../../dist/alerts/pack-snapshot.js';
import type { StoredDocument } from '../../dist/sigma/rule.js';
import { REPO, requireShared } from '../helpers/cli.js';

const HARDENED = join(REPO, 'rules', 't1195.001', 'hardened');

/** The hardened pack (rules and correlations) with a rejected rule, a rule without logsource and an `action: global` file beside it. */
function ruleFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'sw-cache-rules-'));
  for (const name of readdirSync(HARDENED)) if (name.endsWith('.yml') && name !== 'pack.yml') cpSync(join(HARDENED, name), join(folder, name));
  writeFileSync(join(folder, 'bad-modifier.yml'), 'title: bad\nid: bad-1\nlogsource:\n  category: process_creation\ndetection:\n  sel:\n    Image|sideways: x\n  condition: sel\n');
  writeFileSync(join(folder, 'no-logsource.yml'), 'title: anywhere\nid: any-1\ndetection:\n  sel:\n    Image|endswith: \\evil.exe\n  condition: sel\n');
  writeFileSync(join(folder, 'global.yml'), [
    'action: global\ntitle: two tools\nlogsource:\n  category: process_creation\n  product: windows\n',
    'id: g-1\ndetection:\n  sel:\n    Image|endswith: \\one.exe\n  condition: sel\n',
    'id: g-2\ndetection:\n  sel:\n    CommandLine|contains|all: [a, 0x1410]\n  condition: sel\n',
  ].join('---\n'));
  return folder;
}

/** Everything a load gives that a scan or a lint reads. */
function summary(r: LoadResult) {
  return {
    rules: r.rules.map((x) => ({ file: x.file, line: x.line, id: x.id, title: x.title, level: x.level, logsource: x.logsource, raw: x.raw, anchors: (x as SigmaRule).anchors })),
    correlations: r.correlations.map((c) => ({ file: c.file, line: c.line, id: c.id, raw: c.raw, refPositions: c.refPositions, refs: c.refs })),
    rejected: r.rejected,
    warnings: r.warnings,
  };
}

/** A load through `cache`, and the files it parsed (those it offered to other threads). */
async function cachedLoad(paths: string[], cache: RuleCache): Promise<{ result: ReturnType<typeof summary>; parsed: string[] }> {
  const parsed: string[] = [];
  const share = (files: readonly string[]) => {
    parsed.push(...files);
    return { take: async () => undefined };
  };
  return { result: summary(await loadRules(paths, { share }, cache)), parsed };
}

const cacheFile = (dir: string) => join(dir, readdirSync(dir).find((name) => name.endsWith('.bin'))!);

describe('rule cache', () => {
  it('gives a cold load\'s rules, correlations and problems, and parses nothing on a repeat load', async () => {
    const folder = ruleFolder();
    const cache = new RuleCache(mkdtempSync(join(tmpdir(), 'sw-cache-')));
    const cold = summary(await loadRules([folder]));
    expect(cold.rules.length).toBeGreaterThan(10);
    expect(cold.correlations.length).toBeGreaterThan(0);
    expect(cold.rejected.map((p) => p.reason)).toEqual([expect.stringContaining('sideways')]);
    expect(cold.warnings.map((p) => p.file)).toEqual([join(folder, 'no-logsource.yml')]);

    const first = await cachedLoad([folder], cache);
    expect(first.result).toEqual(cold);
    expect(first.parsed.length).toBe(readdirSync(folder).length);
    const warm = await cachedLoad([folder], cache);
    expect(warm.parsed).toEqual([]);
    expect(warm.result).toEqual(cold);
  });

  it('parses again only the file that changed, and then gives the changed file\'s rules', async () => {
    const folder = ruleFolder();
    const cache = new RuleCache(mkdtempSync(join(tmpdir(), 'sw-cache-')));
    await cachedLoad([folder], cache);
    const changed = join(folder, 'global.yml');
    writeFileSync(changed, readFileSync(changed, 'utf8').replace('\\one.exe', '\\three.exe'));
    const after = await cachedLoad([folder], cache);
    expect(after.parsed).toEqual([changed]);
    expect(after.result).toEqual(summary(await loadRules([folder])));
    expect(JSON.stringify(after.result.rules)).toContain('three.exe');
    expect((await cachedLoad([folder], cache)).parsed).toEqual([]);
  });

  it('reads no settled file again while its stat holds, and sees an edit that put the old times back', async () => {
    const folder = ruleFolder();
    const cache = new RuleCache(mkdtempSync(join(tmpdir(), 'sw-cache-')));
    const files = readdirSync(folder).map((name) => join(folder, name));
    // Modified a day ago, to the second, so that the edit below can put that time back exactly.
    const dayAgo = Math.floor(Date.now() / 1000) - 86_400;
    for (const file of files) utimesSync(file, dayAgo, dayAgo);
    // Still too recent to stand for their bytes (the change time is now): a write in the same clock tick could follow.
    expect(files.map(fileStamp)).toEqual(files.map(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(files.every((file) => fileStamp(file) !== undefined)).toBe(true);
    await cachedLoad([folder], cache); // hashes them, and keeps their stats
    const stamped = cache.open([folder]);
    for (const file of files.filter((f) => !f.endsWith('bad-modifier.yml'))) expect(stamped.lookupStamped(file, fileStamp(file)!)).toBeDefined();

    // Same size, modification time set back: only the change time tells, and it is enough.
    const changed = join(folder, 'global.yml');
    writeFileSync(changed, readFileSync(changed, 'utf8').replace('\\one.exe', '\\two.exe'));
    utimesSync(changed, dayAgo, dayAgo);
    expect(statSync(changed).mtimeMs).toBe(dayAgo * 1000);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // the edit settles too
    expect(fileStamp(changed)).toBeDefined();
    const after = await cachedLoad([folder], cache);
    expect(after.parsed).toEqual([changed]);
    expect(JSON.stringify(after.result.rules)).toContain('two.exe');
    expect(after.result).toEqual(summary(await loadRules([folder])));
  });

  it('ignores a corrupt cache file and one made for other code, and loads cold', async () => {
    const folder = ruleFolder();
    const dir = mkdtempSync(join(tmpdir(), 'sw-cache-'));
    const cache = new RuleCache(dir);
    await cachedLoad([folder], cache);
    const file = cacheFile(dir);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(file, bytes);
    const corrupt = await cachedLoad([folder], cache);
    expect(corrupt.parsed.length).toBe(readdirSync(folder).length);
    expect(corrupt.result).toEqual(summary(await loadRules([folder])));

    // Intact, but made by other code: its checksum holds, its code identity does not.
    const made = deserialize(readFileSync(file).subarray(CHECKSUM_LENGTH)) as { code: string };
    expect(made.code).toEqual(expect.any(String));
    const other = serialize({ ...made, code: 'other code' });
    writeFileSync(file, framed(other));
    expect((await cachedLoad([folder], cache)).parsed.length).toBe(readdirSync(folder).length);
    expect((await cachedLoad([folder], cache)).parsed).toEqual([]);

    writeFileSync(file, readFileSync(file).subarray(0, 100));
    expect((await cachedLoad([folder], cache)).parsed.length).toBe(readdirSync(folder).length);
    writeFileSync(file, 'not a cache');
    expect((await cachedLoad([folder], cache)).parsed.length).toBe(readdirSync(folder).length);
    expect((await cachedLoad([folder], cache)).parsed).toEqual([]);
  });

  it('names the files by the path given, whichever path filled the cache', async () => {
    const folder = ruleFolder();
    const cache = new RuleCache(mkdtempSync(join(tmpdir(), 'sw-cache-')));
    await cachedLoad([folder], cache);
    const given = relative(process.cwd(), folder);
    const warm = await cachedLoad([given], cache);
    expect(warm.parsed).toEqual([]);
    expect(warm.result).toEqual(summary(await loadRules([given])));
    expect(warm.result.rules.every((r) => r.file.startsWith(given))).toBe(true);
  });

  it('reads each detection back as a cold load parsed it, wildcards as the matchers\' own markers (SigmaHQ windows rules)', async () => {
    const windows = requireShared('sigmahq/rules/windows');
    const cache = new RuleCache(mkdtempSync(join(tmpdir(), 'sw-cache-')));
    const cold = (await loadRules([windows])).rules as SigmaRule[];
    await loadRules([windows], {}, cache);
    const warm = (await loadRules([windows], {}, cache)).rules as SigmaRule[];
    expect(warm.length).toBe(cold.length);
    let wildcards = 0;
    const markersOnly = (node: DetNode): void => {
      if (node.op === 'not') return markersOnly(node.child);
      if (node.op !== 'item') return node.children.forEach(markersOnly);
      for (const test of node.tests) {
        if (test.kind !== 'string') continue;
        expect(test.value).toBeInstanceOf(SigmaString);
        for (const part of test.value.parts) {
          if (typeof part === 'string' || 'placeholder' in part) continue;
          expect([WILDCARD_MULTI, WILDCARD_SINGLE]).toContain(part);
          wildcards++;
        }
      }
    };
    warm.forEach((rule, i) => {
      // Read back from the bytes the first load kept, not parsed from the document.
      expect(rule.knownDetectionBytes).toBeInstanceOf(Uint8Array);
      // What crosses to a worker holds its own bytes, not a view into the whole cache file (posted, a view takes its buffer along).
      const source = ruleSource(rule);
      expect(source.detection!.buffer.byteLength).toBe(source.detection!.byteLength);
      expect(Buffer.compare(source.detection!, rule.knownDetectionBytes!)).toBe(0);
      const raw = source.raw as StoredDocument;
      expect(raw.bytes.buffer.byteLength).toBe(raw.bytes.byteLength);
      expect(Buffer.compare(raw.bytes, (rule.document as StoredDocument).bytes)).toBe(0);
      expect(rule.detections).toEqual(cold[i]!.detections);
      expect(rule.conditions).toEqual(cold[i]!.conditions);
      rule.detections.forEach(markersOnly);
    });
    expect(wildcards).toBeGreaterThan(5_000);
  }, 60_000);

  it('parses the detection when its bytes do not hold one', () => {
    const raw = { title: 't', logsource: { category: 'process_creation' }, detection: { sel: { 'Image|endswith': '\\evil.exe' }, condition: 'sel' } };
    const parsed = new SigmaRule(raw, 'r.yml', 1);
    const garbled = new SigmaRule(raw, 'r.yml', 1, parsed.anchors, Uint8Array.from([1, 2, 3]));
    expect(garbled.detections).toEqual(parsed.detections);
    expect(garbled.matches({ fields: { Image: 'C:\\x\\EVIL.exe' } } as never)).toBe(true);
    const notADetection = new SigmaRule(raw, 'r.yml', 1, parsed.anchors, serialize({ detections: 'no' }));
    expect(notADetection.matches({ fields: { Image: 'C:\\x\\good.exe' } } as never)).toBe(false);
    expect(notADetection.detections).toEqual(parsed.detections);
  });
});
