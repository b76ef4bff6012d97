/** NeedleIndex: the automaton reports exactly the needles a naive `includes` scan finds. */
import { describe, expect, it } from 'vitest';
import type { FieldValue } from '../../src/events/event.js';
import { EventContext } from '../../src/sigma/field-access.js';
import { NeedleIndex } from '../../src/sigma/needle-index.js';
import { prng } from '../helpers/prng.js';

type Needle = { field: string; text: string };

/** Hit ids in report order; the test checks both the set and that none repeats. */
function scan(index: NeedleIndex, fields: Record<string, FieldValue>): number[] {
  const out: number[] = [];
  index.scan(new EventContext(fields), (n) => out.push(n));
  return out;
}

function naive(needles: readonly Needle[], fields: Record<string, FieldValue>): number[] {
  const ctx = new EventContext(fields);
  return needles.flatMap((n, id) => {
    const forms = ctx.lower(n.field);
    const values = forms === undefined ? [] : typeof forms === 'string' ? [forms] : forms;
    return values.some((v) => v.includes(n.text)) ? [id] : [];
  });
}

function check(needles: readonly Needle[], fields: Record<string, FieldValue>, index = new NeedleIndex(needles)): void {
  const got = scan(index, fields);
  expect(new Set(got).size).toBe(got.length);
  expect([...got].sort((a, b) => a - b)).toEqual(naive(needles, fields));
}

describe('NeedleIndex', () => {
  it('reports overlapping, nested and repeated needles once each', () => {
    const needles = ['abc', 'bc', 'c', 'abcd', 'bc', 'cab', 'x'].map((text) => ({ field: 'F', text }));
    check(needles, { F: 'zabcabcd' });
    check(needles, { F: 'ABCAB' });
    check(needles, { F: 'cc' });
    check(needles, { F: '' });
    check(needles, {});
  });

  it('keeps fields apart and scans every value of list fields', () => {
    const needles = [
      { field: 'A', text: 'cmd' },
      { field: 'B', text: 'cmd' },
      { field: 'B', text: 'exe' },
      { field: 'A', text: 'd.e' },
    ];
    check(needles, { A: 'cmd.exe', B: 'x' });
    check(needles, { A: ['foo', 'CMD'], B: ['exe', 'no', 'cmd.exe'] });
    check(needles, { A: [['nested', ['d.e']]], B: 42 });
  });

  it('matches non-ASCII needles and text, including surrogate pairs', () => {
    const needles = ['😀', 'a😀b', 'é', 'café', '–', 'x–y', '\u202e', 'αβ'].map((text) => ({ field: 'F', text }));
    for (const F of ['café 😀', 'xa😀b', 'x–y', 'a😃b😀', 'ΑΒ', '\u202eexe.txt', 'ca\u0301fe', '😀😀']) check(needles, { F });
  });

  it('folds the case of raw text exactly as toLowerCase does', () => {
    // İ lowers to two chars, Σ to ς or σ by context, the Kelvin sign to ASCII k, 𐐀 (astral) to
    // 𐐨: the scanner must give what a scan of the lower-cased text gives.
    const needles = ['i\u0307x', 'ix', 'aς', 'aσb', 'ok', '𐐨', 'é', 'éa', 'k'].map((text) => ({ field: 'F', text }));
    for (const F of ['İX', 'IX', 'AΣ', 'AΣB', 'O\u212a', '𐐀', 'É', 'ÉA', 'É İ', '\u212a', 'CAFÉ 𐐀', 'ΣΣ', 12, true]) check(needles, { F });
  });

  it('gives the same needles for a value scanned before, whatever the memo does', { timeout: 15_000 }, () => {
    // One index over many events: values repeat (remembered), then thousands of distinct ones
    // (the memo fills, is cleared, and pauses on a field whose values stop repeating), then
    // repeats again; values with İ (not remembered: scanned lower-cased) and long ones mixed in.
    const needles = ['cmd', 'exe', 'powershell', '-enc', 'i\u0307x', 'x'.repeat(30)].map((text) => ({ field: 'F', text }));
    const index = new NeedleIndex(needles);
    const pool = ['C:\\Windows\\cmd.exe', 'POWERSHELL -ENC aa', 'notepad', 'İX cmd', 'X'.repeat(2000)];
    for (let i = 0; i < 30_000; i++) {
      const phase = i < 5_000 || i >= 25_000 ? 'pool' : 'unique';
      const F = phase === 'pool' ? pool[i % pool.length]! : `${pool[i % pool.length]} ${i}`;
      check(needles, { F }, index);
    }
  });

  it('keeps apart remembered values that differ only in a few chars in the middle', () => {
    // Alike in length, head and tail, each with a needle at another place in the middle (or
    // none): a memo that keys on a cheap hash files many of them together, and must still
    // give each value its own needles. Each comes twice in a row, so it is remembered.
    const needles = ['cmd', 'exe'].map((text) => ({ field: 'F', text }));
    const index = new NeedleIndex(needles);
    const plain = 'q'.repeat(60);
    const alike = [plain];
    for (let at = 4; at < 48; at++) alike.push(plain.slice(0, at) + (at % 2 ? 'CMD' : 'exe') + plain.slice(at + 3));
    const there = [...alike, ...[...alike].reverse()];
    for (let round = 0; round < 20; round++) for (const F of there) for (let twice = 0; twice < 2; twice++) check(needles, { F }, index);
  });

  it('agrees with a naive scan on random needles and events', () => {
    const rand = prng(12345);
    const alphabet = ['a', 'b', 'c', 'd', '.', '\\', ' ', 'é', 'É', 'ß', '😀', '–', 'A', 'B', 'İ', 'Σ', '\u212a', 'k', '𐐀'];
    const word = (max: number) => {
      let s = '';
      for (let n = 1 + Math.floor(rand() * max); n > 0; n--) s += alphabet[Math.floor(rand() * alphabet.length)];
      return s;
    };
    const fields = ['F', 'G', 'H'];
    for (let round = 0; round < 200; round++) {
      const needles: Needle[] = [];
      for (let n = Math.floor(rand() * 30); n > 0; n--) {
        const field = fields[Math.floor(rand() * fields.length)]!;
        // Short needles are the most likely to overlap and to repeat.
        needles.push({ field, text: word(rand() < 0.5 ? 2 : 6).toLowerCase() });
        if (rand() < 0.1) needles.push({ ...needles[needles.length - 1]! });
      }
      const index = new NeedleIndex(needles);
      for (let e = 0; e < 20; e++) {
        const ev: Record<string, FieldValue> = {};
        for (const f of fields) {
          const r = rand();
          if (r < 0.2) continue;
          ev[f] = r < 0.4 ? [word(12), word(12)] : word(30);
        }
        check(needles, ev, index);
      }
    }
  });

  it('agrees with a naive scan when the automaton has more states than 16-bit ids can number', () => {
    const rand = prng(777);
    const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const word = (n: number) => Array.from({ length: n }, () => letters[Math.floor(rand() * letters.length)]).join('');
    // 2,500 random 40-char needles share almost no prefix: ~100,000 trie states.
    const needles: Needle[] = Array.from({ length: 2500 }, () => ({ field: 'F', text: word(40) }));
    const index = new NeedleIndex(needles);
    for (let e = 0; e < 200; e++) {
      const picked = needles[Math.floor(rand() * needles.length)]!.text;
      const value = `${word(5)}${e % 2 === 0 ? picked.toUpperCase() : picked.slice(0, 39)}${word(5)}${needles[e]!.text}`;
      check(needles, { F: value }, index);
    }
  });
  it('shares one automaton between indexes with the same needles of a field in another order, each reporting its own ids', () => {
    const random = prng(7);
    const word = () => Array.from({ length: 3 + Math.floor(random() * 6) }, () => 'abcdefgh'[Math.floor(random() * 8)]).join('');
    const texts = Array.from({ length: 300 }, word);
    const first = texts.map((text) => ({ field: 'SharedField', text }));
    // The same needles shuffled, with a repeated text and a needle of another field among them.
    const second = [...first].sort(() => random() - 0.5);
    second.splice(17, 0, { field: 'Other', text: 'abc' }, { field: 'SharedField', text: texts[3]! });
    const a = new NeedleIndex(first);
    const b = new NeedleIndex(second);
    const tablesOf = (index: NeedleIndex) => (index as unknown as { automata: { name: string; delta: unknown }[] }).automata.find((x) => x.name === 'SharedField')!.delta;
    expect(tablesOf(b)).not.toBe(tablesOf(a)); // b has one needle more: another automaton
    const c = new NeedleIndex([...first].reverse());
    expect(tablesOf(c)).toBe(tablesOf(a));
    for (let e = 0; e < 200; e++) {
      const fields = { SharedField: [word(), word() + word()].join(' '), Other: word() };
      check(first, fields, a);
      check(second, fields, b);
      check([...first].reverse(), fields, c);
    }
  });
});
