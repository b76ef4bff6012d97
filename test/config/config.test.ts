import { describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import type { Pack } from '../../src/alerts/pack.js';
import { Tuning } from '../../src/alerts/tuning.js';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { compileGlob } from '../../src/config/glob.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import type { CompiledRule } from '../../src/sigma/index.js';

const pack: Pack = { name: 'p', rules: [], selection: 'all', labels: new Map() };

function rule(id: string, tuning: string[] = [], level = 'high'): CompiledRule {
  return { id, title: `rule ${id}`, level, tags: [], falsepositives: [], logsource: {}, file: 'x.yml', line: 1, raw: { tuning }, matches: () => true };
}

function alert(r: CompiledRule, fields: NormalizedEvent['fields'], extra: Partial<NormalizedEvent> = {}): Alert {
  return { seq: 1, pack, rule: r, label: '', event: { fields, source: { file: 'f', format: 'sigma-ndjson' }, ...extra } };
}

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'sw.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.line}:${p.column} ${p.reason}`);
    throw err;
  }
  return [];
}

const NOW = Date.parse('2026-06-01T00:00:00Z');

describe('supplywatch.yaml loading', () => {
  it('reads every section', () => {
    const config = parseConfig(
      [
        'version: 1',
        'registries:',
        '  mirrors:',
        '    - https://artifactory.corp.example/api/npm/npm-remote/',
        '    - http://verdaccio.lab.example:4873/',
        '  allowed_hosts: [download.cypress.io, 10.20.0.0/16]',
        'bots: ["dependabot[bot]", "renovate*"]',
        'build_chain:',
        "  - '*\\vcpkg.exe'",
        '  - image: "*/bin/bazel"',
        '    descendants: true',
        'suppressions:',
        '  - rule: 924bb489-6e8d-4410-8353-3ad2610975c1',
        '    host: build-*',
        '    expires: 2026-12-31',
        '    reason: vendor tool under review',
        'levels:',
        '  8de50b45-a2cd-4c3d-b298-e6c7d6cd6c78: low',
      ].join('\n'),
      'sw.yaml',
    );
    expect(config.mirrors.map((m) => [m.host, m.http])).toEqual([['artifactory.corp.example', false], ['verdaccio.lab.example', true]]);
    expect(config.allowed.allows('x.download.cypress.io')).toBe(true);
    expect(config.allowed.allows('10.20.30.40')).toBe(true);
    expect(config.allowed.allows('10.21.0.1')).toBe(false);
    expect(config.bots.map((b) => b.pattern)).toEqual(['dependabot[bot]', 'renovate*']);
    expect(config.buildChain.map((b) => [b.pattern, b.descendants])).toEqual([['*\\vcpkg.exe', false], ['*/bin/bazel', true]]);
    expect(config.suppressions).toHaveLength(1);
    expect(config.suppressions[0]!.line).toBe(13);
    expect(config.suppressions[0]!.expires).toBe(Date.parse('2027-01-01T00:00:00Z'));
    expect(config.levels.get('8de50b45-a2cd-4c3d-b298-e6c7d6cd6c78')).toBe('low');
  });

  it('an empty file tunes nothing', () => {
    const config = parseConfig('', 'sw.yaml');
    expect(config.suppressions).toEqual([]);
    expect(config.mirrors).toEqual([]);
  });

  it('rejects mistakes with line:column and a reason, all of them at once', () => {
    const problems = problemsOf(
      [
        'registries:',
        '  mirror: [https://a.example/]',
        '  allowed_hosts: [https://b.example/path]',
        'suppressions:',
        '  - host: ci-*',
        '  - rule: x',
        '    expires: 2026-02-30',
        '  - expires: 2027-01-01',
        'levels:',
        '  not-a-uuid: high',
        '  924bb489-6e8d-4410-8353-3ad2610975c1: severe',
        'colour: blue',
      ].join('\n'),
    );
    expect(problems).toEqual([
      "2:3 unknown key 'mirror' in registries (expected one of: mirrors, allowed_hosts)",
      "3:19 'https://b.example/path' is not a host name, IP address or CIDR range (give a URL's host, not the URL)",
      '5:5 a suppression needs `expires: YYYY-MM-DD` (suppressions must be revisited)',
      "7:14 `expires` must be a date YYYY-MM-DD, not '2026-02-30'",
      '8:5 a suppression needs at least one of rule, host, user, path, command (it would hide every alert)',
      "10:3 'not-a-uuid' is not a rule id (a UUID such as 924bb489-6e8d-4410-8353-3ad2610975c1)",
      '11:41 level must be one of informational, low, medium, high, critical',
      "12:1 unknown key 'colour' in top level (expected one of: version, registries, bots, build_chain, suppressions, levels)",
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const problems = problemsOf('bots: [a, b\nlevels: {}\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^\d+:\d+ /);
  });

  it('keeps the file\'s text in its problems as data (the CLI escapes it when printing)', () => {
    try {
      parseConfig('"bad\u001b[31mkey": 1\n', 'sw.yaml');
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems[0]!.reason).toContain('bad\u001b[31mkey');
      expect((err as Error).message).toMatch(/^sw.yaml:1:1: unknown key/);
    }
  });

  it('rejects a mirror that is not an http(s) URL', () => {
    expect(problemsOf('registries:\n  mirrors: [ftp://m.example/]\n')).toEqual(["2:13 mirror 'ftp://m.example/' must be an http:// or https:// URL"]);
  });
});

describe('glob patterns', () => {
  it('match case-insensitively with * and ?, backslashes literal', () => {
    expect(compileGlob('*\\vcpkg.exe')('C:\\Tools\\VCPKG.EXE')).toBe(true);
    expect(compileGlob('build-??')('build-07')).toBe(true);
    expect(compileGlob('build-??')('build-107')).toBe(false);
    expect(compileGlob('a*b*c')('axxbyyc')).toBe(true);
    expect(compileGlob('a*b*c')('axxcyyb')).toBe(false);
    expect(compileGlob('dependabot[bot]')('dependabot[bot]')).toBe(true);
  });
});

describe('tuning alerts', () => {
  const config = parseConfig(
    [
      'registries:',
      '  mirrors: [https://artifactory.corp.example/npm/, http://verdaccio.lab.example:4873/]',
      '  allowed_hosts: [10.20.0.0/16]',
      'bots: ["dependabot*"]',
      'build_chain:',
      '  - image: "*/bin/bazel"',
      '    descendants: true',
      'suppressions:',
      '  - rule: "*0002"',
      '    command: "*vendor-setup*"',
      '    expires: 2026-12-31',
      '  - host: old-*',
      '    expires: 2026-01-31',
      'levels:',
      '  00000000-0000-0000-0000-000000000003: low',
    ].join('\n'),
    'sw.yaml',
  );
  const tuning = new Tuning(config, NOW);
  const egress = rule('00000000-0000-0000-0000-000000000001', ['allowed-hosts']);

  it('drops destinations that are mirrors or allowed hosts, by name (subdomains too) or IP', () => {
    expect(tuning.apply(alert(egress, { DestinationHostname: 'artifactory.corp.example' }))).toBeUndefined();
    expect(tuning.apply(alert(egress, { DestinationHostname: 'eu.artifactory.corp.example' }))).toBeUndefined();
    expect(tuning.apply(alert(egress, { DestinationHostname: 'artifactory.corp.example.evil.example' }))).toBeDefined();
    expect(tuning.apply(alert(egress, { DestinationHostname: '-', DestinationIp: '10.20.1.2' }))).toBeUndefined();
    expect(tuning.apply(alert(egress, { DestinationIp: '10.30.1.2' }))).toBeDefined();
    expect(tuning.apply(alert(egress, { QueryName: 'artifactory.corp.example' }))).toBeUndefined();
    // A rule without the hook is not affected.
    expect(tuning.apply(alert(rule('00000000-0000-0000-0000-000000000009'), { DestinationHostname: 'artifactory.corp.example' }))).toBeDefined();
  });

  it('marks tuned destinations as allowed registries for the rules', () => {
    const event: NormalizedEvent = { fields: { DestinationHostname: 'artifactory.corp.example', DestinationIsAllowedRegistry: false }, source: { file: 'f', format: 'x' } };
    tuning.markAllowedDestination(event);
    expect(event.fields.DestinationIsAllowedRegistry).toBe(true);
    const other: NormalizedEvent = { fields: { DestinationHostname: 'evil.example', DestinationIsAllowedRegistry: false }, source: { file: 'f', format: 'x' } };
    tuning.markAllowedDestination(other);
    expect(other.fields.DestinationIsAllowedRegistry).toBe(false);
  });

  it('accepts registry flags only when every URL is a declared mirror (http only if declared so)', () => {
    const flags = rule('00000000-0000-0000-0000-000000000004', ['registry-flags']);
    expect(tuning.apply(alert(flags, { CommandLine: 'npm ci --registry https://artifactory.corp.example/npm/' }))).toBeUndefined();
    expect(tuning.apply(alert(flags, { CommandLine: 'npm ci --registry=http://verdaccio.lab.example:4873/' }))).toBeUndefined();
    expect(tuning.apply(alert(flags, { CommandLine: 'npm ci --registry http://artifactory.corp.example/npm/' }))).toBeDefined();
    expect(tuning.apply(alert(flags, { CommandLine: 'pip install x --index-url https://artifactory.corp.example/pypi --extra-index-url https://evil.example/simple' }))).toBeDefined();
  });

  it('drops bot accounts and build-chain images only for rules that ask', () => {
    const writer = rule('00000000-0000-0000-0000-000000000005', ['bots']);
    expect(tuning.apply(alert(writer, { User: 'dependabot' }))).toBeUndefined();
    expect(tuning.apply(alert(writer, { User: 'jdoe' }, { user: 'jdoe' }))).toBeDefined();
    const exec = rule('00000000-0000-0000-0000-000000000006', ['build-chain']);
    expect(tuning.apply(alert(exec, { Image: '/usr/local/bin/bazel' }))).toBeUndefined();
    expect(tuning.apply(alert(exec, { Image: '/usr/bin/curl', AncestorImages: ['/bin/sh', '/usr/local/bin/bazel'] }))).toBeUndefined();
    expect(tuning.apply(alert(exec, { Image: '/usr/bin/curl', AncestorImages: ['/bin/sh', '/usr/bin/node'] }))).toBeDefined();
    expect(tuning.apply(alert(rule('00000000-0000-0000-0000-000000000007', ['bots']), { Image: '/usr/local/bin/bazel', User: 'jdoe' }))).toBeDefined();
  });

  it('applies active suppressions (all given conditions) and ignores expired ones', () => {
    const r2 = rule('00000000-0000-0000-0000-000000000002');
    expect(tuning.apply(alert(r2, { CommandLine: 'node vendor-setup.js' }))).toBeUndefined();
    expect(tuning.apply(alert(r2, { CommandLine: 'node other.js' }))).toBeDefined();
    expect(tuning.apply(alert(rule('00000000-0000-0000-0000-000000000008'), { CommandLine: 'node vendor-setup.js' }))).toBeDefined();
    expect(tuning.expired.map((s) => s.expiresText)).toEqual(['2026-01-31']);
    expect(tuning.apply(alert(r2, {}, { host: 'old-box' }))).toBeDefined();
    expect(tuning.dropped.get('suppression')).toBeGreaterThan(0);
  });

  it('a long-running command lets a suppression expire when the clock passes its date; one with a fixed now does not', () => {
    const r2 = rule('00000000-0000-0000-0000-000000000002');
    const vendor = () => alert(r2, { CommandLine: 'node vendor-setup.js' });
    const startedBefore = Date.parse('2026-12-30T00:00:00Z');
    vi.useFakeTimers({ now: startedBefore });
    try {
      const live = new Tuning(config, startedBefore, true);
      const fixed = new Tuning(config, startedBefore);
      expect(live.apply(vendor())).toBeUndefined();
      vi.setSystemTime(Date.parse('2027-01-02T00:00:00Z')); // past the suppression's 2026-12-31
      expect(live.apply(vendor())).toBeDefined();
      expect(fixed.apply(vendor())).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('overrides levels without changing the shared rule', () => {
    const r3 = rule('00000000-0000-0000-0000-000000000003');
    const tuned = tuning.apply(alert(r3, {}))!;
    expect(tuned.rule.level).toBe('low');
    expect(tuned.rule.title).toBe(r3.title);
    expect(r3.level).toBe('high');
  });
});

describe('docs/config.md', () => {
  it('every YAML example in the documentation is a valid config', async () => {
    const { readFileSync } = await import('node:fs');
    const { REPO } = await import('../helpers/cli.js');
    const text = readFileSync(`${REPO}docs/config.md`, 'utf8');
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) expect(() => parseConfig(block, 'docs/config.md')).not.toThrow();
  });
});
