import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineBases } from '../../src/parallel/line-bases.js';
import type { ScanTask } from '../../src/parallel/plan.js';

/** A file of lines of varied length (several 1 MiB count buffers long), cut into ranges at line starts. */
function rangedFile(): { tasks: ScanTask[]; expected: number[] } {
  const lines = Array.from({ length: 30_000 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat((i * 7919) % 300)}"}`);
  const text = lines.join('\n') + '\n';
  const file = join(mkdtempSync(join(tmpdir(), 'sw-lines-')), 'events.ndjson');
  writeFileSync(file, text);
  const cuts = [0, 1, 2_500, 9_000, 9_001, 17_000, 24_000, 29_999];
  const offsetOf = (line: number) => Buffer.byteLength(lines.slice(0, line).join('\n')) + (line > 0 ? 1 : 0);
  const size = Buffer.byteLength(text);
  const tasks = cuts.map((line, id) => ({
    id,
    input: file,
    range: { format: 'sigma-ndjson', start: offsetOf(line), end: id + 1 < cuts.length ? offsetOf(cuts[id + 1]!) : size, first: id === 0 },
  }));
  return { tasks, expected: cuts };
}

describe('LineBases: newlines before each byte range', () => {
  it('counts the tasks sent at once before returning, and the others in the background, all exact', async () => {
    const { tasks, expected } = rangedFile();
    expect(tasks.at(-1)!.range!.start).toBeGreaterThan(2 * 1024 * 1024);
    const bases = new LineBases(tasks, 4);
    expect(tasks.slice(0, 4).map((t) => bases.known(t))).toEqual(expected.slice(0, 4));
    expect(await Promise.all(tasks.map((t) => bases.baseFor(t)))).toEqual(expected);
    expect(tasks.map((t) => bases.known(t))).toEqual(expected);
  });

  it('without tasks sent at once, counts only in the background', async () => {
    const { tasks, expected } = rangedFile();
    const bases = new LineBases(tasks);
    expect(bases.known(tasks[0]!)).toBe(0);
    expect(bases.known(tasks[3]!)).toBeUndefined();
    expect(await Promise.all(tasks.map((t) => bases.baseFor(t)))).toEqual(expected);
  });

  it('an unreadable file fails the bases it could not count', async () => {
    const tasks: ScanTask[] = [1, 2].map((id) => ({ id, input: '/nonexistent/x.ndjson', named: false, range: { format: 'sigma-ndjson', start: id * 100, end: id * 100 + 100, first: false } }));
    const bases = new LineBases(tasks, 2);
    await expect(bases.baseFor(tasks[0]!)).rejects.toThrow(/ENOENT/);
    await expect(bases.baseFor(tasks[1]!)).rejects.toThrow(/ENOENT/);
  });
});
