import { describe, expect, it } from 'vitest';
import { loadPacks } from '../../src/alerts/pack.js';
import { BACKENDS, ConversionError } from '../../src/backends/index.js';
import { enrichmentFieldsOf } from '../../src/backends/enrichment-guard.js';
import type { SigmaRule } from '../../src/sigma/rule.js';

describe('rules that need supplywatch enrichment fields', () => {
  it('are refused by every target, naming the fields, and converted when allowed explicitly', async () => {
    const { packs } = await loadPacks(['hardened']);
    const rules = packs[0]!.rules as SigmaRule[];
    const egress = rules.find((r) => r.file.endsWith('install-egress-non-registry.yml'))!;
    expect(enrichmentFieldsOf(egress)).toEqual(expect.arrayContaining(['DestinationIsAllowedRegistry', 'InstallPackageManager']));
    for (const [name, backend] of BACKENDS) {
      const pipeline = backend.pipelines[0]!;
      let refusal: unknown;
      try {
        backend.rule(egress, { pipeline });
      } catch (e) {
        refusal = e;
      }
      expect(refusal, name).toBeInstanceOf(ConversionError);
      expect((refusal as Error).message, name).toMatch(/^needs .*DestinationIsAllowedRegistry.*InstallPackageManager.*which only supplywatch's enrichment creates .*--allow-enrichment-fields$/);
      if (name === 'kql') continue; // KQL has no column for them anyway: refused for that reason when allowed
      expect(backend.rule(egress, { pipeline, allowEnrichmentFields: true }), name).toContain('InstallPackageManager');
    }
  });

  it('leave rules on real log fields alone (the seed pack, DestinationHostname), and refuse a combined pack that holds one', async () => {
    const { packs } = await loadPacks(['seed', 'hardened']);
    const aql = BACKENDS.get('aql')!;
    for (const rule of packs[0]!.rules as SigmaRule[]) expect(enrichmentFieldsOf(rule)).toEqual([]);
    expect(aql.combine!(packs[0]!, { pipeline: 'qradar' })).toContain('DetectionArm');
    expect(() => aql.combine!(packs[1]!, { pipeline: 'qradar' })).toThrow(/^needs /);
    const portable = (packs[1]!.rules as SigmaRule[]).filter((r) => enrichmentFieldsOf(r).length === 0);
    const hostnameOnly = portable.filter((r) => JSON.stringify(r.raw.detection).includes('DestinationHostname'));
    for (const rule of hostnameOnly) expect(() => aql.rule(rule, { pipeline: 'qradar' })).not.toThrow(/enrichment/);
  });
});
