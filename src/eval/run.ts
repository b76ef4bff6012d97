/**
 * Runs rule packs over a labelled corpus, one telemetry file at a time: each file is one
 * independent sample, so it gets its own enrichment state (process trees, DNS) and its own
 * correlation windows, exactly as a scan of that file alone would.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Alert } from '../alerts/alert.js';
import type { Pack } from '../alerts/pack.js';
import { EventPipeline, type PipelineSpec } from '../alerts/pipeline.js';
import type { DropReason } from '../alerts/tuning.js';
import { readInputs, type BadRecord } from '../sources/open.js';
import type { LabelledFile, Verdict } from './labels.js';

export interface RuleHits {
  rule: string;
  title: string;
  level?: string;
  alerts: number;
}

export interface FileResult {
  file: string;
  label: Verdict;
  notes?: string;
  events: number;
  format?: string;
  bad: BadRecord[];
  /** Per pack (same order as the packs): rules that alerted, in first-alert order. */
  packs: Array<{ pack: string; alerts: number; rules: RuleHits[] }>;
}

export interface EvalResult {
  packs: string[];
  /** Alerts the config's tuning dropped, by reason, over the whole corpus. */
  tuned: Partial<Record<DropReason, number>>;
  files: FileResult[];
  /** Labelled files that do not exist. */
  missing: LabelledFile[];
  /** Telemetry files in the corpus folder that labels.yaml does not name. */
  unlabelled: string[];
}

export async function evaluate(dir: string, labels: LabelledFile[], packs: Pack[], spec: PipelineSpec): Promise<EvalResult> {
  const result: EvalResult = { packs: packs.map((p) => p.name), tuned: {}, files: [], missing: [], unlabelled: [] };
  for (const entry of labels) {
    const path = join(dir, entry.file);
    if (!existsSync(path)) {
      result.missing.push(entry);
      continue;
    }
    result.files.push(await evaluateFile(path, entry, packs, spec, result.tuned));
  }
  const named = new Set(labels.map((l) => l.file));
  for (const file of await telemetryFiles(dir)) if (!named.has(file)) result.unlabelled.push(file);
  return result;
}

async function evaluateFile(path: string, entry: LabelledFile, packs: Pack[], spec: PipelineSpec, tuned: EvalResult['tuned']): Promise<FileResult> {
  const out: FileResult = { file: entry.file, label: entry.label, notes: entry.notes, events: 0, bad: [], packs: packs.map((p) => ({ pack: p.name, alerts: 0, rules: [] })) };
  // Exactly what a scan of this file alone does.
  const pipeline = new EventPipeline(packs, spec);
  const found: Alert[] = [];
  const count = (alerts: Alert[]) => {
    for (const alert of alerts) {
      const slot = out.packs[packs.indexOf(alert.pack)]!;
      slot.alerts += 1;
      const key = alert.rule.id ?? alert.rule.title;
      let hits = slot.rules.find((r) => r.rule === key);
      if (!hits) slot.rules.push((hits = { rule: key, title: alert.rule.title, level: alert.rule.level, alerts: 0 }));
      hits.alerts += 1;
    }
    alerts.length = 0;
  };
  let seq = 0;
  for await (const batch of readInputs([path], { onBad: (b) => out.bad.push(b) })) {
    out.format = batch.format;
    for (const event of batch.events) {
      out.events += 1;
      pipeline.process(event, ++seq, found);
      count(found);
    }
  }
  pipeline.finish(found);
  count(found);
  for (const [reason, n] of pipeline.tuning?.dropped ?? []) tuned[reason] = (tuned[reason] ?? 0) + n;
  return out;
}

/** Files a folder scan would read as telemetry (same skip rules as src/sources/open.ts). */
async function telemetryFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue;
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (!/\.(md|markdown|ya?ml)$/i.test(e.name)) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out;
}
