import { describe, expect, it } from 'vitest';
import { enrichmentNeeded } from '../../src/alerts/enrichment-needed.js';
import { loadRulesFromText, SigmaRule } from '../../src/sigma/index.js';

const RULE = `
title: Curl piped to a shell from an install
id: 0b6a9a47-6d86-4b9c-8c55-1a9d3a0f6c11
status: test
description: a lifecycle script fetches and runs code
references: [https://example.org/advisory]
author: test
tags: [attack.execution]
falsepositives: [none]
level: high
logsource: { category: process_creation, product: linux }
detection:
  selection:
    CommandLine|contains: 'curl '
    InstallPackageManager: npm
  condition: selection
`;

function parsed(): SigmaRule {
  const load = loadRulesFromText(RULE, 'rule.yml');
  expect(load.rejected).toEqual([]);
  return load.rules[0] as SigmaRule;
}

describe('a rule from its stored document (the rule cache, worker threads)', () => {
  it('is the same rule: metadata, logsource, fields read, detection, and the document when read', () => {
    const original = parsed();
    const stored = original.storedDocument();
    const again = new SigmaRule(stored, 'rule.yml', original.line, original.anchors, original.detectionBytes());
    for (const key of ['id', 'title', 'level', 'status', 'description', 'tags', 'falsepositives', 'logsource'] as const) expect(again[key]).toEqual(original[key]);
    expect([...again.fieldUse.fields].sort()).toEqual(['CommandLine', 'InstallPackageManager']);
    expect(again.raw).toEqual(original.raw);
    const event = { fields: { CommandLine: 'sh -c curl x | sh', InstallPackageManager: 'npm' }, source: { file: 'x', format: 'x' } };
    expect(again.matches(event)).toBe(true);
    expect(again.matches({ ...event, fields: { ...event.fields, InstallPackageManager: 'pip' } })).toBe(false);
  });

  it('is loaded, bucketed and weighed for enrichment without its document being deserialized', () => {
    const original = parsed();
    const stored = original.storedDocument();
    // Bytes that cannot be deserialized: only a read of the document would notice.
    const rule = new SigmaRule({ ...stored, bytes: new Uint8Array([0xff, 0x00, 0x13]) }, 'rule.yml', original.line, original.anchors, original.detectionBytes());
    expect(rule.title).toBe('Curl piped to a shell from an install');
    expect(rule.logsourceKey).toEqual({ category: 'process_creation', product: 'linux', service: undefined });
    const pack = { name: 'p', rules: [rule], selection: 'all' as const, labels: new Map<string, string>() };
    expect(enrichmentNeeded([pack])).toBe(true);
    expect(() => rule.raw).toThrow();
  });
});
