import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { loadPacks } from '../../src/alerts/pack.js';
import { DEFAULT_COLUMNS } from '../../src/outputs/default-columns.js';
import { tableFormatter } from '../../src/outputs/table.js';

async function alertWith(commandLine: string): Promise<Alert> {
  const { packs } = await loadPacks(['seed']);
  const pack = packs[0]!;
  return {
    seq: 1, pack, rule: pack.rules[0]!, label: '',
    event: { category: 'process_creation', host: 'ws1', fields: { Image: 'cmd.exe', CommandLine: commandLine }, source: { file: 'e.ndjson', format: 'sigma-ndjson', line: 3 } },
  };
}

describe('table output width', () => {
  const long = 'cmd.exe /c ' + 'a'.repeat(150) + ' END';

  it('a 0-column terminal (no width known) cuts nothing', async () => {
    const text = tableFormatter({ columns: DEFAULT_COLUMNS, width: 0 }).format(await alertWith(long));
    expect(text).toContain(long + '\n');
    expect(text).not.toContain('…');
  });

  it('a known width cuts values to fit it, with an ellipsis', async () => {
    const text = tableFormatter({ columns: DEFAULT_COLUMNS, width: 80 }).format(await alertWith(long));
    const line = text.split('\n').find((l) => l.includes('cmd.exe /c'))!;
    expect(line.endsWith('…')).toBe(true);
    expect([...line].length).toBeLessThanOrEqual(80);
  });
});
