import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planTasks, RANGE_BYTES } from '../../src/parallel/plan.js';

/** Sigma-field NDJSON of about `bytes` bytes, lines of varied length. */
function ndjson(dir: string, name: string, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = JSON.stringify({ Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: `cmd /c echo ${i} ${'x'.repeat((i * 7919) % 900)}` });
    lines.push(line);
    size += line.length + 1;
  }
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('planTasks: byte ranges of large line-based inputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-plan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true })); // the large file is 56 MB

  it('cuts a large file at line starts into ranges that cover it, finer over its last two ranges', async () => {
    const file = ndjson(dir, 'big.ndjson', 3.5 * RANGE_BYTES);
    const bytes = readFileSync(file);
    const tasks = await planTasks([file], undefined, { onBad: () => expect.fail('no bad record expected') });
    const ranges = tasks.map((t) => t.range!);
    expect(tasks.map((t) => t.id)).toEqual(tasks.map((_, i) => i));
    expect(ranges[0]!.start).toBe(0);
    expect(ranges.at(-1)!.end).toBe(bytes.length);
    ranges.forEach((r, i) => {
      expect(r.first).toBe(i === 0);
      if (i > 0) expect(r.start).toBe(ranges[i - 1]!.end);
      if (r.start > 0) expect(bytes[r.start - 1]).toBe(0x0a);
    });
    // Whole ranges until the last 2 × RANGE_BYTES, then quarter ranges (each ends at the first line start past its size).
    const tapered = ranges.filter((r) => r.end - r.start < RANGE_BYTES / 2);
    expect(ranges.length - tapered.length).toBe(2);
    expect(tapered.length).toBeGreaterThanOrEqual(6);
    expect(tapered[0]!.start).toBeGreaterThanOrEqual(bytes.length - 2 * RANGE_BYTES);
    for (const r of tapered.slice(0, -1)) expect(r.end - r.start).toBeGreaterThanOrEqual(RANGE_BYTES / 4);
  });

  it('keeps a file no larger than one range whole', async () => {
    const file = ndjson(dir, 'small.ndjson', 64 * 1024);
    // With its size (the work it weighs), known from the stat that found it: the file is not opened.
    expect(await planTasks([file], undefined, { onBad: () => expect.fail('no bad record expected') })).toEqual([{ id: 0, input: file, named: true, size: statSync(file).size }]);
  });

  it('keeps a large JSON array or pretty-printed file of an NDJSON format whole (its records span lines), sniffed or forced', async () => {
    const lines = readFileSync(ndjson(dir, 'records.ndjson', 1.2 * RANGE_BYTES), 'utf8').trimEnd().split('\n');
    const array = join(dir, 'big-array.json');
    writeFileSync(array, `[\n  ${lines.join(',\n  ')}\n]\n`);
    const pretty = join(dir, 'big-pretty.json');
    writeFileSync(pretty, lines.map((l) => JSON.stringify(JSON.parse(l), null, 2)).join('\n') + '\n');
    for (const [file, format] of [[array, undefined], [pretty, undefined], [array, 'sigma-ndjson']] as const) {
      expect(statSync(file).size).toBeGreaterThan(RANGE_BYTES);
      const tasks = await planTasks([file], format, { onBad: () => expect.fail('no bad record expected') });
      expect(tasks).toEqual([{ id: 0, input: file, named: true, size: statSync(file).size }]);
    }
  });

  it('keeps large Elasticsearch scroll pages (one _search response per line) whole, but cuts elasticdump hits (one per line) into ranges', async () => {
    const lines = readFileSync(ndjson(dir, 'documents.ndjson', 1.2 * RANGE_BYTES), 'utf8').trimEnd().split('\n');
    const hits = lines.map((l, i) => `{"_index":"sysmon","_id":"${i}","_score":1,"_source":${l}}`);
    const page = (part: string[]) => `{"_scroll_id":"FGluY2x1ZGVfY29udGV4dF91dWlk","took":3,"timed_out":false,"hits":{"total":{"value":${hits.length}},"hits":[${part.join(',')}]}}\n`;
    const half = hits.length >> 1;
    const pages = join(dir, 'scroll-pages.json');
    writeFileSync(pages, page(hits.slice(0, half)) + page(hits.slice(half)));
    const dump = join(dir, 'elasticdump.ndjson');
    writeFileSync(dump, hits.join('\n') + '\n');
    const whole = await planTasks([pages], undefined, { onBad: () => expect.fail('no bad record expected') });
    expect(whole).toEqual([{ id: 0, input: pages, named: true, size: statSync(pages).size }]);
    const ranges = await planTasks([dump], undefined, { onBad: () => expect.fail('no bad record expected') });
    expect(ranges.length).toBeGreaterThan(1);
    expect(ranges.every((t) => t.range !== undefined)).toBe(true);
  });

  it('says which tasks are command-line arguments and which were found in a folder', async () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    const inside = ndjson(folder, 'inside.ndjson', 1024);
    const named = ndjson(dir, 'named.ndjson', 1024);
    const tasks = await planTasks([folder, named], undefined, { onBad: () => expect.fail('no bad record expected') });
    expect(tasks.map(({ input, named }) => ({ input, named }))).toEqual([{ input: inside, named: false }, { input: named, named: true }]);
  });
});
