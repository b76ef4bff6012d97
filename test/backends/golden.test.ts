import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { convertVector, loadVectors, targetOf } from './golden.js';

/**
 * Every vector of ../shared/sigma-vectors/conversion/ is a test: our output equals the
 * upstream string, or the vector is listed in deviations.yaml with the reason, and then the
 * output must really differ (a deviation that became a match must be removed from the list).
 */
const deviations = parse(readFileSync(new URL('./deviations.yaml', import.meta.url), 'utf8')) as Record<string, string>;
const vectors = loadVectors();

describe('conversion vectors', () => {
  it('the deviation list names only existing vectors, each with a reason', () => {
    const ids = new Set(vectors.map((v) => v.id));
    for (const [id, reason] of Object.entries(deviations)) {
      expect(ids.has(id), id).toBe(true);
      expect(reason.length, id).toBeGreaterThan(20);
    }
  });

  for (const v of vectors) {
    it(`${v.id}`, () => {
      const got = convertVector(v);
      // An expected error is met only by one of our targets refusing, not by having no target at all.
      const same = v.expect_error ? 'error' in got && targetOf(v) !== undefined : 'queries' in got && JSON.stringify(got.queries) === JSON.stringify(v.expected);
      if (deviations[v.id]) expect(same, `${v.id} is listed as a deviation but now matches`).toBe(false);
      else if (v.expect_error) expect(same, `${v.id}: expected an error, got ${JSON.stringify(got)}`).toBe(true);
      else expect(got).toEqual({ queries: v.expected });
    });
  }
});
