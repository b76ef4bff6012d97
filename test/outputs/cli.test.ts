import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';
import { freeTcpPort } from './rsyslog.js';

const SAMPLE = join(REPO, 'samples/sysmon-npm-install.ndjson');

describe('scan --output', () => {
  it('writes each output and nothing to stdout unless --format is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-outputs-cli-'));
    const result = await runCli(['scan', SAMPLE, '--rules', 'hardened', '-q', '-o', `leef:${join(dir, 'a.leef')}`, '--output', `cef:${join(dir, 'a.cef')}`]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(readFileSync(join(dir, 'a.leef'), 'utf8')).toMatch(/^LEEF:2\.0\|supplywatch\|/);
    expect(readFileSync(join(dir, 'a.cef'), 'utf8')).toMatch(/^CEF:0\|supplywatch\|/);
    const both = await runCli(['scan', SAMPLE, '--rules', 'hardened', '-q', '--format', 'jsonl', '-o', `leef:${join(dir, 'b.leef')}`]);
    const plain = await runCli(['scan', SAMPLE, '--rules', 'hardened', '-q', '--format', 'jsonl']);
    expect(both.stdout).toBe(plain.stdout);
    expect(readFileSync(join(dir, 'b.leef'), 'utf8')).toBe(readFileSync(join(dir, 'a.leef'), 'utf8'));
  });

  it('an output that lost alerts makes the scan exit 2, and says so on stderr even with -q', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-outputs-lost-'));
    const port = await freeTcpPort(); // nothing listens there
    const result = await runCli(['scan', SAMPLE, '--rules', 'hardened', '-q', '-o', `leef:syslog+tcp://127.0.0.1:${port}`, '-o', `cef:${join(dir, 'kept.cef')}`]);
    expect(result.stderr).toMatch(new RegExp(`^supplywatch: --output leef:syslog\\+tcp://127\\.0\\.0\\.1:${port}: \\d+ alerts? not delivered \\(.*ECONNREFUSED`, 'm'));
    expect(result.status).toBe(2);
    // The other output got every alert all the same.
    expect(readFileSync(join(dir, 'kept.cef'), 'utf8')).toMatch(/^CEF:0\|supplywatch\|/);
  });

  it('a scan that fails once its outputs are open still ends (a syslog sink retrying does not hold it)', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-outputs-fail-'));
    writeFileSync(join(dir, 'bad.yml'), 'title: no detection\n');
    const port = await freeTcpPort();
    const result = await runCli(['scan', SAMPLE, '--rules', dir, '-q', '-o', `leef:syslog+tcp://127.0.0.1:${port}`]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no rule could be loaded');
  });

  it.each([
    [['-o', 'leef'], /expected FORMAT:DESTINATION/],
    [['-o', 'jsonl:-', '--format', 'jsonl'], /two outputs write to stdout/],
    [['-o', 'leef:syslog+tcp://127.0.0.1'], /HOST:PORT/],
  ])('%j is a usage error: one line, exit 2', async (args, message) => {
    const result = await runCli(['scan', SAMPLE, ...args]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
