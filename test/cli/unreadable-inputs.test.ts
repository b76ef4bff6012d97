import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, REPO, runCli } from '../helpers/cli.js';

/** An input named on the command line that cannot be read is never a clean scan (as grep: exit 2). */
describe('inputs that cannot be read', () => {
  it('scan -q of a missing path names it once and exits 2', async () => {
    const r = await runCli(['scan', '-q', '/nonexistent/path']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.match(/\/nonexistent\/path/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/^supplywatch: \/nonexistent\/path: cannot read: .*ENOENT/m);
    expect(r.stderr).toMatch(/^supplywatch: no event was read$/m);
  });

  it('scan of a missing path beside a good one scans the good one, lists the missing once, exits 2', async () => {
    const r = await runCli(['scan', '--format', 'jsonl', 'samples/qradar-export.json', '/nonexistent/path']);
    expect(r.status).toBe(2);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThan(0);
    expect(r.stderr.match(/\/nonexistent\/path/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/^not read: \/nonexistent\/path: cannot read/m);
  });

  it('a folder of empty, binary, cut gzip and cut zip files exits 2 and says no event was read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-unreadable-'));
    writeFileSync(join(dir, 'empty.json'), '');
    writeFileSync(join(dir, 'binary.bin'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0]));
    writeFileSync(join(dir, 'events.json.gz'), Buffer.from([0x1f, 0x8b, 8, 0]));
    writeFileSync(join(dir, 'collection.zip'), Buffer.from('PK\u0003\u0004'));
    const r = await runCli(['scan', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^no event was read$/m);
    expect(r.stderr).toMatch(/not read: .*empty\.json: empty input/);
    expect(r.stderr).toMatch(/not read: .*binary\.bin: unrecognized format/);
    expect(r.stderr).toMatch(/events\.json\.gz: unknown: cannot read: unexpected end of file/);
    expect(r.stderr).toMatch(/not read: .*collection\.zip: cannot read the zip archive/);
  });

  it('a file in a folder that is not telemetry (a licence) is listed, and fails nothing when the rest is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-licence-'));
    cpSync(join(REPO, 'samples'), dir, { recursive: true });
    writeFileSync(join(dir, 'LICENSE'), 'Apache License\nVersion 2.0, January 2004\n');
    const r = await runCli(['scan', '--format', 'jsonl', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not read: .*LICENSE: unrecognized format/);
    const named = await runCli(['scan', '-q', '--format', 'jsonl', dir, join(dir, 'LICENSE')]);
    expect(named.status).toBe(2);
    expect(named.stderr).toMatch(/^supplywatch: .*LICENSE: unrecognized format/m);
  });

  it('--strict makes bad records exit 2; without it they are counted and the scan is clean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-strict-'));
    const file = join(dir, 'events.ndjson');
    const good = JSON.stringify({ time: '2026-01-01T00:00:00Z', category: 'process_creation', product: 'linux', fields: { Image: '/usr/bin/true' } });
    writeFileSync(file, `${good}\n{not json\n${good}\n`);
    const lax = await runCli(['scan', file]);
    expect(lax.status).toBe(0);
    expect(lax.stderr).toMatch(/bad records: 1\n/);
    const strict = await runCli(['scan', '--strict', file]);
    expect(strict.status).toBe(2);
  });

  it('an unknown --input-format is one line and exit 2, no stack', async () => {
    const r = await runCli(['scan', '--input-format', 'nope', 'samples/']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^supplywatch: --input-format: unknown format 'nope'; known: qradar-json, /)]);
  });

  it('dump and aql run exit 2 on a missing input', async () => {
    const dump = await runCli(['dump', '/nonexistent/x.json']);
    expect(dump.status).toBe(2);
    expect(dump.stderr).toMatch(/^supplywatch: \/nonexistent\/x\.json: cannot read/m);
    const aql = await runCli(['aql', 'run', 'SELECT * FROM events', '--events', '/nonexistent/x.json']);
    expect(aql.status).toBe(2);
    expect(aql.stderr).toMatch(/^supplywatch: \/nonexistent\/x\.json: cannot read/m);
  });

  it('scan DIR > DIR/out.jsonl skips its own output file with a warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-self-'));
    cpSync(join(REPO, 'samples'), dir, { recursive: true });
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" scan --rules seed --format jsonl "${dir}" > "${dir}/out.jsonl"`], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/skipped: .*out\.jsonl: it is the output file/);
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n').length).toBe(6);
  });
});
