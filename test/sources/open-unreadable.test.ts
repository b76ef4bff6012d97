import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandPaths, outputIdentity, readInputs, type SkippedInput, type UnreadableInput } from '../../src/sources/open.js';
import type { BadRecord } from '../../src/sources/reader.js';
import { fixture } from './helpers.js';

async function collect(paths: string[], exclude?: ReturnType<typeof outputIdentity>[]) {
  const bad: BadRecord[] = [];
  const unreadable: UnreadableInput[] = [];
  const skipped: SkippedInput[] = [];
  const inputs = new Set<string>();
  let events = 0;
  const options = {
    onBad: (b: BadRecord) => bad.push(b),
    onUnreadable: (u: UnreadableInput) => unreadable.push(u),
    onSkip: (s: SkippedInput) => skipped.push(s),
    exclude: exclude?.filter((e) => e !== undefined),
  };
  for await (const batch of readInputs(paths, options)) {
    inputs.add(batch.input);
    events += batch.events.length;
  }
  return { bad, unreadable, skipped, inputs: [...inputs], events };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'sw-unreadable-'));

describe('inputs that cannot be read', () => {
  it('a missing argument and a cut zip archive are reported once each, apart from bad records, and the rest is read', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'logs.zip'), 'PK\u0003\u0004');
    writeFileSync(join(dir, 'logs.json.gz'), 'not really gzip'); // named .gz, not gzip: read as what it is
    const missing = join(dir, 'nonexistent');
    const r = await collect([missing, fixture('otrf.ndjson'), join(dir, 'logs.zip'), join(dir, 'logs.json.gz')]);
    expect(r.unreadable).toEqual([
      { file: missing, named: true, code: 'ENOENT', reason: expect.stringMatching(/^cannot read: ENOENT/) },
      { file: join(dir, 'logs.zip'), named: true, code: 'UNRECOGNIZED', reason: expect.stringMatching(/^cannot read the zip archive: End of central directory record signature not found/) },
      { file: join(dir, 'logs.json.gz'), named: true, code: 'UNRECOGNIZED', reason: 'unrecognized format; use --input-format' },
    ]);
    // The fixture's own bad lines stay bad records of a readable file, with their lines.
    expect(r.bad.map((b) => [b.file, b.line])).toEqual([[fixture('otrf.ndjson'), 3], [fixture('otrf.ndjson'), 6]]);
    expect(r.events).toBe(4);
  });

  it('without onUnreadable they stay bad records (callers that only count)', async () => {
    const bad: BadRecord[] = [];
    for await (const _ of readInputs(['/nonexistent/x'], { onBad: (b) => bad.push(b) })) void _;
    expect(bad).toHaveLength(1);
    expect(bad[0]!.reason).toMatch(/ENOENT/);
  });

  it('a path under a regular file is reported with its code (ENOTDIR)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    const r = await collect([join(dir, 'file', 'child.json')]);
    expect(r.unreadable.map((u) => [u.code, u.named])).toEqual([['ENOTDIR', true]]);
  });

  it('an empty input and an unrecognized one are reported as such (code UNRECOGNIZED), found in a folder: named false', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.json'), '');
    writeFileSync(join(dir, 'text.log'), 'hello\n');
    const r = await collect([dir]);
    expect(r.unreadable.map((u) => [u.file, u.named, u.code, u.reason])).toEqual([
      [join(dir, 'empty.json'), false, 'UNRECOGNIZED', 'empty input'],
      [join(dir, 'text.log'), false, 'UNRECOGNIZED', 'unrecognized format; use --input-format'],
    ]);
  });
});

describe('symbolic links in folders', () => {
  it('are followed to files and folders; a loop and a second link to a file are skipped by real path', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    mkdirSync(data);
    copyFileSync(fixture('otrf.ndjson'), join(data, 'b.ndjson'));
    const elsewhere = tempDir();
    copyFileSync(fixture('sigma.ndjson'), join(elsewhere, 'real.ndjson'));
    symlinkSync(join(elsewhere, 'real.ndjson'), join(data, 'a-link.ndjson'));
    symlinkSync(join(data, 'b.ndjson'), join(data, 'c-again.ndjson'));
    symlinkSync(dir, join(data, 'loop'));
    symlinkSync(join(dir, 'gone'), join(data, 'dangling.json'));
    const r = await collect([dir]);
    expect(r.inputs).toEqual([join(data, 'a-link.ndjson'), join(data, 'b.ndjson')]);
    expect(r.skipped.map((s) => s.file)).toEqual([join(data, 'c-again.ndjson'), join(data, 'loop')]);
    expect(r.unreadable.map((u) => [u.file, u.code, u.named])).toEqual([[join(data, 'dangling.json'), 'ENOENT', false]]);
    expect(r.events).toBeGreaterThan(4);
  });
});

describe('the output file', () => {
  it('is never read as an input, named or found in a folder, under any name', async () => {
    const dir = tempDir();
    copyFileSync(fixture('otrf.ndjson'), join(dir, 'in.ndjson'));
    const out = join(dir, 'out.jsonl');
    copyFileSync(fixture('sigma.ndjson'), out);
    symlinkSync(out, join(dir, 'z-link.jsonl'));
    const fd = openSync(out, 'a');
    try {
      const identity = outputIdentity(fd);
      expect(identity).toBeDefined();
      const r = await collect([dir, out], [identity]);
      expect(r.inputs).toEqual([join(dir, 'in.ndjson')]);
      expect(r.skipped.map((s) => [s.file, s.reason])).toEqual([
        [out, 'it is the output file'],
        [join(dir, 'z-link.jsonl'), 'it is the output file'],
        [out, 'it is the output file'],
      ]);
    } finally {
      closeSync(fd);
    }
  });

  it('outputIdentity is undefined for a pipe', async () => {
    const child = spawn(process.execPath, ['-e', `import(${JSON.stringify(resolve('dist/sources/open.js'))}).then((m) => console.log(JSON.stringify(m.outputIdentity(1) ?? null)))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise((r) => child.on('close', r));
    expect(out.trim()).toBe('null');
  });
});

/**
 * EACCES needs a user the permissions apply to: these tests run as root here, so the reading
 * runs in a child process started with uid/gid nobody (spawn's uid option), over the built
 * dist/sources/open.js. They need root (to drop privileges) and `npm run build`.
 */
describe('permission denied (child process as nobody)', () => {
  const NOBODY = 65534;
  const isRoot = process.getuid?.() === 0;
  const OPEN_JS = resolve('dist/sources/open.js');

  function readAsNobody(paths: string[]): Promise<{ inputs: string[]; unreadable: UnreadableInput[]; bad: BadRecord[]; events: number }> {
    const script = `
      const { readInputs } = await import(${JSON.stringify(OPEN_JS)});
      const r = { inputs: [], unreadable: [], bad: [], events: 0 };
      for await (const b of readInputs(${JSON.stringify(paths)}, { onBad: (x) => r.bad.push(x), onUnreadable: (u) => r.unreadable.push(u) })) {
        if (!r.inputs.includes(b.input)) r.inputs.push(b.input);
        r.events += b.events.length;
      }
      process.stdout.write(JSON.stringify(r));`;
    return new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (status) => (status === 0 ? resolvePromise(JSON.parse(out)) : reject(new Error(`child exited ${status}: ${err}`))));
    });
  }

  it('an unreadable subfolder and an unreadable file are reported and skipped; the rest of the folder is read', async () => {
    expect(isRoot, 'this test drops privileges and must run as root').toBe(true);
    expect(existsSync(OPEN_JS), `${OPEN_JS} is missing: run npm run build`).toBe(true);
    const dir = tempDir();
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'a-locked'));
    copyFileSync(fixture('otrf.ndjson'), join(dir, 'a-locked', 'x.ndjson'));
    chmodSync(join(dir, 'a-locked'), 0o000);
    copyFileSync(fixture('otrf.ndjson'), join(dir, 'b-secret.ndjson'));
    chmodSync(join(dir, 'b-secret.ndjson'), 0o000);
    copyFileSync(fixture('otrf.ndjson'), join(dir, 'c.ndjson'));
    chmodSync(join(dir, 'c.ndjson'), 0o644);
    const r = await readAsNobody([dir, join(dir, 'b-secret.ndjson')]);
    expect(r.inputs).toEqual([join(dir, 'c.ndjson')]);
    expect(r.events).toBe(4);
    expect(r.unreadable.map((u) => [u.file, u.named, u.code])).toEqual([
      [join(dir, 'a-locked'), false, 'EACCES'],
      [join(dir, 'b-secret.ndjson'), false, 'EACCES'],
      [join(dir, 'b-secret.ndjson'), true, 'EACCES'],
    ]);
    expect(r.unreadable[0]!.reason).toMatch(/^cannot list folder: EACCES/);
    expect(r.bad.map((b) => b.file)).toEqual([join(dir, 'c.ndjson'), join(dir, 'c.ndjson')]); // the fixture's two bad lines
  });

  it('a named folder that cannot be listed is reported as named', async () => {
    expect(isRoot).toBe(true);
    const dir = tempDir();
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'locked'));
    chmodSync(join(dir, 'locked'), 0o000);
    const r = await readAsNobody([join(dir, 'locked')]);
    expect(r.unreadable.map((u) => [u.named, u.code])).toEqual([[true, 'EACCES']]);
  });
});

describe('expandPaths', () => {
  it('still takes a bare onBad (the parallel planner)', async () => {
    const bad: BadRecord[] = [];
    const found: string[] = [];
    for await (const p of expandPaths([fixture('otrf.ndjson'), '/nonexistent'], (b) => bad.push(b))) found.push(p);
    expect(found).toEqual([fixture('otrf.ndjson')]);
    expect(bad.map((b) => b.file)).toEqual(['/nonexistent']);
  });
});
