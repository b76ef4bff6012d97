/** Run one conversion vector through our targets (shared by the golden test). */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BACKENDS } from '../../src/backends/index.js';
import { correlationsFromText, hasCorrelation } from '../../src/backends/correlation.js';
import { ConversionError } from '../../src/backends/ir.js';
import type { SigmaRule } from '../../src/sigma/rule.js';
import { loadRulesFromText } from '../../src/sigma/yaml-loader.js';
import { requireShared } from '../helpers/cli.js';

export interface Vector {
  id: string;
  backend: string;
  pipeline: string;
  rule: string;
  expected?: string[];
  expect_error?: string;
  suite: string;
}

export function loadVectors(): Vector[] {
  const dir = requireShared('sigma-vectors/conversion');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => {
      const doc = parse(readFileSync(join(dir, f), 'utf8')) as { suite: string; vectors: Omit<Vector, 'suite'>[] };
      return doc.vectors.map((v) => ({ ...v, pipeline: String(v.pipeline), suite: doc.suite }));
    });
}

/** Which of our targets and pipelines stands for the upstream backend and pipeline of a vector. */
export function targetOf(v: Vector): { target: string; pipeline: string } | undefined {
  const none = v.pipeline === 'none' || v.pipeline.startsWith('inline');
  switch (v.suite) {
    case 'qradar-aql':
    case 'qradar-nnipsx':
      return { target: 'aql', pipeline: none ? 'none' : 'qradar' };
    case 'splunk':
      return { target: 'spl', pipeline: 'none' };
    case 'kql-microsoft-xdr':
      return { target: 'kql', pipeline: none ? 'none' : 'microsoft-xdr' };
    case 'elasticsearch-eql':
      return { target: 'eql', pipeline: 'none' };
    case 'elasticsearch-esql':
      return { target: 'esql', pipeline: 'none' };
    case 'sqlite':
      return { target: 'sql', pipeline: 'none' };
    case 'elasticsearch-ecs-windows': {
      const first = v.expected?.[0] ?? '';
      const target = first.startsWith('from ') ? 'esql' : first.includes(' where ') ? 'eql' : undefined;
      return target ? { target, pipeline: 'ecs' } : undefined; // these vectors test the ECS mapping
    }
    default:
      return undefined; // Lucene query_string: not one of our targets
  }
}

export type Outcome = { queries: string[] } | { error: string };

export function convertVector(v: Vector): Outcome {
  const t = targetOf(v);
  if (!t) return { error: `no supplywatch target for ${v.suite}` };
  const backend = BACKENDS.get(t.target)!;
  const options = { pipeline: t.pipeline };
  try {
    if (hasCorrelation(v.rule)) {
      if (!backend.correlation) return { error: `correlation rules are not expressible in ${t.target}` };
      return { queries: correlationsFromText(v.rule, v.id).map((c) => backend.correlation!(c, options)) };
    }
    const loaded = loadRulesFromText(v.rule, v.id);
    if (loaded.rejected.length) return { error: `rule rejected: ${loaded.rejected[0]!.reason}` };
    return { queries: loaded.rules.map((r) => backend.rule(r as SigmaRule, options)) };
  } catch (e) {
    if (e instanceof ConversionError) return { error: e.message };
    throw e;
  }
}
