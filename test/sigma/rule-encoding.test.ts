/**
 * Rule files in UTF-16: YAML allows it, and a Windows editor saving a rule as "Unicode" writes
 * UTF-16LE with a byte order mark. Such a file was read as UTF-8 and rejected as "rule document
 * must be a mapping".
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, RuleCache } from '../../dist/sigma/index.js';
import type { NormalizedEvent } from '../../dist/events/event.js';

const rule = (id: string) =>
  `title: Encoded ${id}\nid: ${id}\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  sel:\n    Image|endswith: '\\bitsadmin.exe'\n    CommandLine|contains: 'café'\n  condition: sel\n`;

const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

const EVENT: NormalizedEvent = {
  category: 'process_creation', product: 'windows',
  fields: { Image: 'C:\\Windows\\System32\\bitsadmin.exe', CommandLine: 'bitsadmin /transfer café' },
  source: { file: 'f', format: 'sigma-ndjson', line: 1 },
};

describe('rule files in UTF-16', () => {
  it('load as their UTF-8 copy does, with or without a byte order mark, from the cache too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-rule-encoding-'));
    writeFileSync(join(dir, 'a-utf8.yml'), rule('utf8'));
    writeFileSync(join(dir, 'b-utf16le-bom.yml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rule('le-bom'), 'utf16le')]));
    writeFileSync(join(dir, 'c-utf16be-bom.yml'), Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(rule('be-bom'))]));
    writeFileSync(join(dir, 'd-utf16le.yml'), Buffer.from(rule('le'), 'utf16le'));
    const cache = new RuleCache(mkdtempSync(join(tmpdir(), 'sw-rule-encoding-cache-')));
    for (const load of [await loadRules([dir]), await loadRules([dir], {}, cache), await loadRules([dir], {}, cache)]) {
      expect(load.rejected).toEqual([]);
      expect(load.rules.map((r) => r.title)).toEqual(['Encoded utf8', 'Encoded le-bom', 'Encoded be-bom', 'Encoded le']);
      expect(load.rules.map((r) => r.matches(EVENT))).toEqual([true, true, true, true]);
    }
  });
});
