import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashNumber, SlotIndex } from '../../src/compact/slot-index.js';
import { TextStore } from '../../src/compact/text-store.js';

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 300 });
const text = fc.oneof(fc.string({ maxLength: 300 }), codeUnits, fc.constant(''), fc.constant('x'.repeat(70_000)), fc.constant('\u00e9'.repeat(40_000) + '\u2713'));

describe('TextStore', () => {
  it('gives back every string it holds exactly, while others are stored and released around it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(text, fc.boolean()), { minLength: 1, maxLength: 60 }), (items) => {
        const store = new TextStore();
        const held = new Map<number, string>();
        for (const [value, releaseOne] of items) {
          held.set(store.put(value), value);
          if (releaseOne && held.size > 1) {
            const [handle] = held.keys();
            store.release(handle!);
            held.delete(handle!);
          }
        }
        for (const [handle, value] of held) {
          expect(store.get(handle)).toBe(value);
          expect(store.equals(handle, value)).toBe(true);
          expect(store.equals(handle, value + 'x')).toBe(false);
          if (value.length > 0) expect(store.equals(handle, String.fromCharCode(value.charCodeAt(0) ^ 1) + value.slice(1))).toBe(false);
        }
        expect(store.size).toBe(held.size);
      }),
      { numRuns: 200 },
    );
  });
});

describe('SlotIndex', () => {
  it('finds what was inserted and not removed, through collisions, replacements and resizes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.constantFrom('add', 'remove', 'replace')), { maxLength: 2000 }), (ops) => {
        const index = new SlotIndex();
        // Key k lives in slot k or, after a replace, k + 1000; a few hash values only, so clusters form.
        const hash = (k: number) => hashNumber(0, k % 7);
        const model = new Map<number, number>();
        for (const [k, op] of ops) {
          const at = model.get(k);
          if (op === 'add' && at === undefined) {
            index.insert(k, hash(k));
            model.set(k, k);
          } else if (op === 'remove' && at !== undefined) {
            index.remove(at, hash(k));
            model.delete(k);
          } else if (op === 'replace' && at !== undefined) {
            const by = at === k ? k + 1000 : k;
            index.replace(at, by, hash(k));
            model.set(k, by);
          }
        }
        expect(index.size).toBe(model.size);
        for (let k = 0; k <= 300; k++) {
          const found = index.find(hash(k), (slot) => slot % 1000 === k);
          expect(found).toBe(model.get(k) ?? -1);
        }
      }),
      { numRuns: 100 },
    );
  });
});
