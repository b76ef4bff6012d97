/**
 * eval-corpus/atomic/ holds the atomic tests as rendered by atomic/formats.ts, so `supplywatch
 * eval` scores them per format beside the incident reconstructions. This keeps the committed
 * files and the renderer in step; `UPDATE_ATOMIC_CORPUS=1 npx vitest run
 * test/hardened/atomic-corpus.test.ts` rewrites them after a renderer change.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLabels } from '../../src/eval/labels.js';
import { REPO } from '../helpers/cli.js';
import { FORMATS } from './atomic/formats.js';
import { ATOMIC_TESTS, SCENARIOS } from './atomic/scenarios.js';

const CORPUS = join(REPO, 'eval-corpus');
const relative = (format: string, test: string, extension: string) => `atomic/${format}/${test}.${extension}`;

describe('eval-corpus/atomic', () => {
  it('holds every format × atomic test as the renderer writes it, each labelled malicious', () => {
    const labels = new Map(loadLabels(join(CORPUS, 'labels.yaml')).map((l) => [l.file, l.label]));
    for (const format of FORMATS) {
      for (const test of ATOMIC_TESTS) {
        const file = relative(format.name, test, format.extension);
        const path = join(CORPUS, file);
        const rendered = format.render(SCENARIOS[format.os][test]);
        const bytes = typeof rendered === 'string' ? Buffer.from(rendered) : rendered;
        if (process.env.UPDATE_ATOMIC_CORPUS) {
          mkdirSync(join(CORPUS, 'atomic', format.name), { recursive: true });
          writeFileSync(path, bytes);
        }
        expect(existsSync(path), `${file} missing`).toBe(true);
        expect(readFileSync(path).equals(bytes), `${file} differs from the renderer`).toBe(true);
        expect(labels.get(file), `${file} label`).toBe('malicious');
      }
    }
  });
});
