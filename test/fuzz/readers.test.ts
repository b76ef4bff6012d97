/**
 * Every reader of src/sources/registry.ts (the EVTX parser included) on mutated real inputs:
 * no exception escapes, every bad record has a position, no more events than bytes. A hang
 * fails the test by its timeout (and, in `npm run fuzz`, leaves the case in FUZZ_LAST_INPUT).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { READERS } from '../../src/sources/registry.js';
import { FUZZ_FILE, caseOf, collectCoverage, invariantProblems, mutate, params, readBytes, recordCase } from './harness.js';
import { seedsFor } from './seeds.js';


collectCoverage('readers');

describe('fuzz: readers on mutated real inputs', () => {
  for (const reader of READERS) {
    it(`${reader.format}: no crash, every bad record placed`, async () => {
      const seeds = seedsFor(reader.format);
      await fc.assert(
        fc.asyncProperty(caseOf(seeds.length), async ({ seed, mutations, chunks }) => {
          const bytes = mutate(seeds[seed]!, mutations);
          await recordCase(reader.format, bytes);
          const outcome = await readBytes(reader, bytes, chunks);
          if (outcome.error !== undefined) throw new Error(`exception escaped the reader: ${(outcome.error as Error).stack ?? String(outcome.error)}`);
          const problems = invariantProblems(outcome, FUZZ_FILE, bytes.length);
          if (problems !== '') throw new Error(problems);
        }),
        params(reader.format === 'evtx' ? 60 : 150),
      );
    });
  }

  it('every seed reads cleanly unmutated (the mutations start from valid input)', async () => {
    for (const reader of READERS) {
      const [own] = seedsFor(reader.format);
      const outcome = await readBytes(reader, own!, [65_536]);
      expect(outcome.error, reader.format).toBeUndefined();
      expect(outcome.events.length, reader.format).toBeGreaterThan(0);
    }
  });
});
