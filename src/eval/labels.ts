/**
 * `labels.yaml` of an eval corpus: telemetry file (relative to the corpus folder) → verdict.
 *
 *   malicious/coa-rc-windows.ndjson: malicious
 *   benign/git-clone-checkout-linux.ndjson:
 *     label: benign
 *     os: linux
 *     notes: git writes workflow files on every clone and checkout
 *
 * `os` (windows, linux, macos) groups the report's per-OS table; a file under `holdout/` belongs
 * to the held-out part of the corpus (judged, never looked at while writing rules), the rest to
 * the design part.
 *
 * Problems are reported with file:line:column and the whole file is rejected.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, type Node, type Pair } from 'yaml';
import { ConfigError } from '../config/load.js';
import { positionedDocument } from '../config/positions.js';
import { textOf } from '../sources/utf16.js';

export type Verdict = 'malicious' | 'benign';

export const OPERATING_SYSTEMS = ['windows', 'linux', 'macos'] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];

export interface LabelledFile {
  /** As written in labels.yaml (relative to the corpus folder, forward slashes). */
  file: string;
  label: Verdict;
  notes?: string;
  os?: OperatingSystem;
  line: number;
}

export function loadLabels(path: string): LabelledFile[] {
  let text: string;
  try {
    text = textOf(readFileSync(path));
  } catch (err) {
    throw new ConfigError([{ file: path, line: 0, column: 0, reason: `cannot read labels: ${(err as Error).message}` }]);
  }
  return parseLabels(text, path);
}

export function parseLabels(text: string, path: string): LabelledFile[] {
  const { doc, lines, problems, at } = positionedDocument(text, path);
  const out: LabelledFile[] = [];
  const root = doc.contents;
  if (problems.length === 0 && !isMap(root)) at(root, 'labels.yaml must map telemetry files to malicious or benign');
  if (problems.length === 0 && isMap(root)) {
    for (const pair of root.items as Pair<Node, Node>[]) {
      const file = isScalar(pair.key) ? String(pair.key.value) : '';
      if (file === '' || file.startsWith('/') || file.split(/[\\/]/).includes('..')) {
        at(pair.key, `'${file}' must be a path inside the corpus folder`);
        continue;
      }
      const line = lines.linePos(pair.key.range?.[0] ?? 0).line;
      const value = pair.value;
      let label: unknown;
      let notes: string | undefined;
      let os: OperatingSystem | undefined;
      if (isScalar(value)) label = value.value;
      else if (isMap(value)) {
        for (const item of value.items as Pair<Node, Node>[]) {
          const key = isScalar(item.key) ? String(item.key.value) : '';
          if (key !== 'label' && key !== 'notes' && key !== 'os') at(item.key, `unknown key '${key}' (expected label, notes, os)`);
        }
        label = value.get('label');
        const n = value.get('notes', true) as Node | undefined;
        if (n !== undefined) {
          if (isScalar(n) && typeof n.value === 'string') notes = n.value.trim();
          else at(n, '`notes` must be text');
        }
        const o = value.get('os', true) as Node | undefined;
        if (o !== undefined) {
          if (isScalar(o) && (OPERATING_SYSTEMS as readonly unknown[]).includes(o.value)) os = o.value as OperatingSystem;
          else at(o, `\`os\` must be one of ${OPERATING_SYSTEMS.join(', ')}`);
        }
      }
      if (label !== 'malicious' && label !== 'benign') {
        at(value ?? pair.key, `label of '${file}' must be malicious or benign`);
        continue;
      }
      out.push({ file: file.replace(/\\/g, '/'), label, notes, ...(os ? { os } : {}), line });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}
