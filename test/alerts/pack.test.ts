import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTimeFormat } from '../../src/alerts/columns.js';
import { loadPacks } from '../../src/alerts/pack.js';
import { parseSince } from '../../src/alerts/window.js';

const RULE = `title: Any cmd
id: 11111111-2222-3333-4444-555555555555
logsource:
  category: process_creation
detection:
  selection:
    Image|endswith: '\\\\cmd.exe'
  condition: selection
`;

function packDir(packYml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sw-pack-'));
  writeFileSync(join(dir, 'rule.yml'), RULE);
  writeFileSync(join(dir, 'pack.yml'), packYml);
  return dir;
}

describe('rule packs', () => {
  it('loads the built-in seed pack: its arms in CASE order (arm 2 twice: Network Connect QIDs also named Process Create), its columns, ORDER BY time', async () => {
    const { packs, rejected } = await loadPacks(['seed']);
    expect(rejected).toEqual([]);
    const [seed] = packs;
    expect(seed!.selection).toBe('first-match');
    expect(seed!.order).toBe('time-desc');
    expect(seed!.rules.map((r) => seed!.labels.get(r.id!))).toEqual([
      'PackageManagerSpawnedSuspiciousChild', 'PackageManagerUnexpectedExternalConnection', 'PackageManagerUnexpectedExternalConnection', 'CICDPipelineFileModified', '',
    ]);
    expect(seed!.columns!.map((c) => c.name)).toEqual([
      'EventTime', 'Hostname', 'Username', 'SourceIP', 'ProcessName', 'CommandLine', 'ParentProcessName', 'ParentCommandLine', 'DetectionArm',
    ]);
  });

  it('rejects a pack.yml naming an unknown rule with file:line:column', async () => {
    const dir = packDir('name: p\nselection: first-match\narms:\n  - rule: 11111111-2222-3333-4444-555555555555\n    label: A\n  - rule: no-such-id\n    label: B\n');
    const { packs, rejected } = await loadPacks([dir]);
    expect(packs).toEqual([]);
    expect(rejected).toEqual([{ file: join(dir, 'pack.yml'), line: 6, column: 11, reason: "arm rule 'no-such-id' is not a loaded rule of this pack" }]);
  });

  it('rejects an unknown column spec and a bad selection with their positions', async () => {
    const columns = await loadPacks([packDir('name: p\ncolumns:\n  A: host\n  B: guess\n')]);
    expect(columns.rejected[0]).toMatchObject({ line: 4, column: 6 });
    expect(columns.rejected[0]!.reason).toMatch(/unknown column spec 'guess'/);
    const selection = await loadPacks([packDir('name: p\nselection: sometimes\n')]);
    expect(selection.rejected[0]).toMatchObject({ line: 2, column: 12, reason: "`selection` must be 'all' or 'first-match'" });
  });
});

describe('time formats and windows', () => {
  it('formats like QRadar DATEFORMAT, in UTC', () => {
    const format = compileTimeFormat('yyyy-MM-dd HH:mm:ss');
    expect(typeof format).toBe('function');
    expect((format as (t: number) => string)(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02 03:04:05');
    expect(compileTimeFormat('yyyy-MM-dd EEE')).toMatch(/unsupported time pattern letter 'E'/);
  });

  it('parses --since durations and timestamps; the bound is exclusive', () => {
    const now = Date.UTC(2026, 10, 27, 12);
    expect(parseSince('24h', now)).toEqual({ after: now - 86_400_000 });
    expect(parseSince('1h30m', now)).toEqual({ after: now - 5_400_000 });
    expect(parseSince('2026-11-27T00:00:00Z', now)).toEqual({ after: Date.UTC(2026, 10, 27) });
    expect(parseSince('2026-11-27 06:00', now)).toEqual({ after: Date.UTC(2026, 10, 27, 6) });
    expect(parseSince('soon', now)).toMatch(/neither a duration/);
  });
});
