/**
 * `supplywatch convert --to TARGET [--pipeline NAME] [--combine] RULES…`: one query per rule
 * (or per pack with --combine) on stdout; rules a target cannot express are named on stderr
 * with the reason, and the others are still converted.
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPacks } from '../alerts/pack.js';
import { BACKENDS, ConversionError, type Backend, type ConvertOptions } from '../backends/index.js';
import { correlationsFromText, hasCorrelation, type Correlation } from '../backends/correlation.js';
import { safeJson, terminalSafe } from '../outputs/escape.js';
import type { SigmaRule } from '../sigma/rule.js';
import { UsageError } from '../errors.js';
import { parseRuleSpecs } from './options.js';

export interface ConvertCliOptions {
  to?: string;
  pipeline?: string;
  combine?: boolean;
  since?: string;
  limit?: string;
  format?: string;
  allowEnrichmentFields?: boolean;
}

interface Output {
  write(name: string, query: string, extra: Record<string, unknown>): void;
}

export async function convertCommand(specs: string[], o: ConvertCliOptions): Promise<number> {
  const backend = o.to ? BACKENDS.get(o.to) : undefined;
  if (!backend) throw new UsageError(`--to must be one of ${[...BACKENDS.keys()].join(', ')}`);
  if (specs.length === 0) throw new UsageError('convert needs rules: pack names (seed) or rule files/folders');
  parseRuleSpecs(specs);
  const pipeline = o.pipeline ?? backend.pipelines[0]!;
  if (!backend.pipelines.includes(pipeline)) throw new UsageError(`--pipeline for ${backend.name} must be one of ${backend.pipelines.join(', ')}`);
  const limit = o.limit === undefined ? undefined : Number(o.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError('--limit must be a positive integer');
  const format = o.format ?? 'text';
  if (format !== 'text' && format !== 'jsonl') throw new UsageError('--format must be text or jsonl');
  const options: ConvertOptions = { pipeline, since: o.since, limit, allowEnrichmentFields: o.allowEnrichmentFields === true };
  const out: Output = {
    write(name, query, extra) {
      process.stdout.write(format === 'jsonl' ? safeJson({ target: backend.name, pipeline, name, ...extra, query }) + '\n' : query + '\n\n');
    },
  };

  let failed = 0;
  const fail = (where: string, reason: string) => {
    failed += 1;
    process.stderr.write(terminalSafe(`${where}: not converted: ${reason}`) + '\n');
  };
  // Correlations first: per the Sigma spec, the rules they use are not output on their own
  // unless the correlation says `generate: true`.
  const correlations: { file: string; list: Correlation[] }[] = [];
  for (const file of correlationFiles(specs)) {
    try {
      correlations.push({ file, list: correlationsFromText(readFileSync(file, 'utf8'), file) });
    } catch (e) {
      if (!(e instanceof ConversionError)) throw e;
      fail(file, e.message);
    }
  }
  const hidden = new Set(correlations.flatMap((c) => c.list.filter((x) => !x.generate).flatMap((x) => x.rules.map((r) => r.rule.id ?? `${r.rule.file}:${r.rule.line}`))));
  const loaded = await loadPacks(specs);
  for (const p of loaded.rejected) {
    if (/correlation rules are not supported/.test(p.reason)) continue; // converted below
    fail(`${p.file}:${p.line}:${p.column}${p.title ? ` ${p.title}` : ''}`, `rule rejected: ${p.reason}`);
  }
  for (const pack of loaded.packs) {
    if (o.combine) {
      if (!backend.combine) {
        fail(pack.name, `--combine is not expressible in ${backend.name} (one query per rule instead)`);
      } else {
        try {
          out.write(pack.name, backend.combine(pack, options), { pack: pack.name });
          continue;
        } catch (e) {
          if (!(e instanceof ConversionError)) throw e;
          fail(pack.name, e.message);
        }
      }
    }
    for (const rule of pack.rules) {
      if (!hidden.has(rule.id ?? `${rule.file}:${rule.line}`)) convertOne(backend, rule as SigmaRule, options, out, fail);
    }
  }
  for (const { file, list } of correlations)
    for (const c of list) {
      if (!backend.correlation) {
        fail(`${file} ${c.title}`, `correlation rules are not expressible in ${backend.name}`);
        continue;
      }
      try {
        const query = backend.correlation(c, options);
        process.stderr.write(terminalSafe(`${file} ${c.title}: warning: timespan ${c.timespan.text} is applied as fixed time buckets, not a sliding window`) + '\n');
        out.write(c.title, query, { file, correlation: c.type });
      } catch (e) {
        if (!(e instanceof ConversionError)) throw e;
        fail(`${file} ${c.title}`, e.message);
      }
    }
  return failed > 0 ? 1 : 0;
}

function convertOne(backend: Backend, rule: SigmaRule, options: ConvertOptions, out: Output, fail: (w: string, r: string) => void) {
  try {
    out.write(rule.title, backend.rule(rule, options), { id: rule.id, file: rule.file });
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    fail(`${rule.file}:${rule.line} ${rule.title}`, e.message);
  }
}

/** Rule files (given or under given folders) that hold a correlation document. */
function correlationFiles(specs: string[]): string[] {
  const files: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n));
    else if (/\.ya?ml$/i.test(p) && !p.endsWith('pack.yml') && hasCorrelation(readFileSync(p, 'utf8'))) files.push(p);
  };
  for (const s of specs) if (existsSync(s)) walk(s);
  return files;
}
