/**
 * eval-corpus/atomic/ and eval-corpus/reconstructed/ hold the atomic tests as rendered by atomic/formats.ts, so `supplywatch
 * eval` scores them per format beside the incident reconstructions. This keeps the committed
 * files and the renderer in step; `UPDATE_ATOMIC_CORPUS=1 npx vitest run
 * test/hardened/atomic-corpus.test.ts` rewrites them after a renderer change.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLabels } from '../../src/eval/labels.js';
import { REPO } from '../helpers/cli.js';
import { FORMATS } from './atomic/formats.js';
import { HOLDOUT } from './atomic/holdout.js';
import { RECONSTRUCTED } from './atomic/reconstructed.js';
import { ATOMIC_TESTS, SCENARIOS } from './atomic/scenarios.js';

const CORPUS = join(REPO, 'eval-corpus');
const relative = (format: string, test: string, extension: string) => `atomic/${format}/${test}.${extension}`;

/** The committed file equals the rendering (rewritten first when UPDATE_ATOMIC_CORPUS is set). */
function expectCommitted(file: string, rendered: string | Buffer): void {
  const path = join(CORPUS, file);
  const bytes = typeof rendered === 'string' ? Buffer.from(rendered) : rendered;
  if (process.env.UPDATE_ATOMIC_CORPUS) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  expect(existsSync(path), `${file} missing`).toBe(true);
  expect(readFileSync(path).equals(bytes), `${file} differs from the renderer`).toBe(true);
}

describe('eval-corpus/atomic', () => {
  it('holds every format × atomic test as the renderer writes it, each labelled malicious', () => {
    const labels = new Map(loadLabels(join(CORPUS, 'labels.yaml')).map((l) => [l.file, l.label]));
    for (const format of FORMATS) {
      for (const test of ATOMIC_TESTS) {
        const file = relative(format.name, test, format.extension);
        if (format.os === 'macos') continue;
        expectCommitted(file, format.render(SCENARIOS[format.os][test]));
        expect(labels.get(file), `${file} label`).toBe('malicious');
      }
    }
  });

  it('holds the reconstructed installs (eval-corpus/reconstructed/, eval-corpus/holdout/) as rendered, labelled as reconstructed', () => {
    const labels = new Map(loadLabels(join(CORPUS, 'labels.yaml')).map((l) => [l.file, l]));
    for (const r of [...RECONSTRUCTED, ...HOLDOUT]) {
      expectCommitted(r.file, r.format.render(r.scenario));
      expect(labels.get(r.file)?.label, `${r.file} label`).toBe(r.label);
      expect(labels.get(r.file)?.notes, `${r.file} notes`).toMatch(/^(held-out, )?reconstructed/);
    }
  });
});
