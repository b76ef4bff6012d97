import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of scripts/, without types
import { KEEP_PER_PACKAGE, normaliseFile, pathRewriter } from '../../scripts/record-installs.normalise.mjs';

/** How recordings are made shareable (scripts/record-installs.normalise.mjs). */
type Rewrite = (s: string) => string;

describe('recording normalisation', () => {
  const rewrite = pathRewriter('/root') as Rewrite;

  it('moves the home where a path starts, also glued to a compiler flag, and nowhere else', () => {
    expect(rewrite('/root/.npm/_cacache/x')).toBe('/home/dev/.npm/_cacache/x');
    expect(rewrite('cc -L/root/lib -B/root/bin --sysroot=/root/s "/root"')).toBe('cc -L/home/dev/lib -B/home/dev/bin --sysroot=/home/dev/s "/home/dev"');
    expect(rewrite('/tmp/root/x /rootfs /home/rooted')).toBe('/tmp/root/x /rootfs /home/rooted');
    expect(rewrite('strace -o /tmp/supplywatch-run-hwJdG5/trace.fifo')).toBe('strace -o /tmp/supplywatch-run-recording/trace.fifo');
  });

  it('rewrites every field and the user, trims only npm’s own unpacking of ordinary files, and counts what it trims', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-normalise-'));
    const project = '/tmp/swrec/demo';
    const event = (category: string, fields: Record<string, unknown>) => JSON.stringify({ category, user: 'root', fields: { User: 'root', ...fields } });
    const npmPid = 100;
    const lines = [
      event('process_creation', { ProcessId: npmPid, Image: '/usr/bin/node', CommandLine: 'node /usr/bin/npm install demo', CurrentDirectory: project }),
      ...Array.from({ length: KEEP_PER_PACKAGE + 5 }, (_, i) => event('file_event', { ProcessId: npmPid, TargetFilename: `${project}/node_modules/demo/lib/f${i}.js` })),
      event('file_event', { ProcessId: npmPid, TargetFilename: `${project}/node_modules/demo/.github/workflows/ci.yml` }),
      event('file_event', { ProcessId: npmPid, TargetFilename: `${project}/node_modules/demo/bin/tool` }),
      event('file_event', { ProcessId: 200, TargetFilename: `${project}/node_modules/demo/build/x.js` }),
      event('file_event', { ProcessId: npmPid, TargetFilename: '/root/.npm/_cacache/index-v5/a.json' }),
      event('dns_query', { ProcessId: npmPid, QueryName: 'registry.npmjs.org' }),
    ];
    const from = join(dir, 'raw.ndjson');
    const to = join(dir, 'out.ndjson');
    writeFileSync(from, lines.join('\n') + '\n');
    const { written, trimmed } = (await normaliseFile(from, to, { projectDir: project, homes: ['/root'], user: 'root' })) as { written: number; trimmed: number };
    expect(trimmed).toBe(5);
    expect(written).toBe(lines.length - 5);
    const out = readFileSync(to, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { user: string; fields: Record<string, unknown> });
    const targets = out.map((e) => e.fields.TargetFilename).filter(Boolean);
    expect(targets).toContain(`${project}/node_modules/demo/lib/f${KEEP_PER_PACKAGE - 1}.js`);
    expect(targets).not.toContain(`${project}/node_modules/demo/lib/f${KEEP_PER_PACKAGE}.js`);
    // Never trimmed: dot-folders, files that are not ordinary sources, other processes' writes.
    expect(targets).toEqual(expect.arrayContaining([`${project}/node_modules/demo/.github/workflows/ci.yml`, `${project}/node_modules/demo/bin/tool`, `${project}/node_modules/demo/build/x.js`]));
    expect(targets).toContain('/home/dev/.npm/_cacache/index-v5/a.json');
    expect(out.every((e) => e.user === 'dev' && e.fields.User === 'dev')).toBe(true);
  });
});
