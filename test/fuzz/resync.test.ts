/**
 * Good records around a bad one are still read: valid inputs with one record per line get one
 * line broken (in a way that keeps the line count), read in random chunks; the result must be
 * the clean read without that line's record, plus one bad record naming that line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { READERS } from '../../src/sources/registry.js';
import type { SourceReader } from '../../src/sources/reader.js';
import { collectCoverage, params, readBytes, recordCase } from './harness.js';
import { seedsFor } from './seeds.js';

const reader = (format: string): SourceReader => READERS.find((r) => r.format === format)!;

/** How to break one line of a format so that it is one bad record, and where its records are. */
interface Subject {
  format: string;
  seed: Buffer;
  /** 1-based lines that hold one record each. */
  recordLines(text: string): number[];
  breakLine(line: string, junk: string): string;
}

const lineNumbers = (text: string, test: (line: string) => boolean) =>
  text.split('\n').flatMap((line, i) => (test(line) ? [i + 1] : []));
/** Junk right after the opening brace: invalid JSON, brackets still balanced, no newline. */
const jsonJunk = (line: string, junk: string) => line.replace('{', `{${junk}`);

const SUBJECTS: Subject[] = [
  { format: 'sigma-ndjson', seed: seedsFor('sigma-ndjson')[1]!, recordLines: (t) => lineNumbers(t, (l) => l.startsWith('{')), breakLine: jsonJunk },
  { format: 'winlogbeat', seed: seedsFor('winlogbeat')[0]!, recordLines: (t) => lineNumbers(t, (l) => l.startsWith('{')), breakLine: jsonJunk },
  { format: 'otrf', seed: seedsFor('otrf')[0]!, recordLines: (t) => lineNumbers(t, (l) => l.startsWith('{')), breakLine: jsonJunk },
  { format: 'evtx-json', seed: seedsFor('evtx-json')[1]!, recordLines: (t) => lineNumbers(t, (l) => l.startsWith('{')), breakLine: jsonJunk },
  { format: 'qradar-json', seed: seedsFor('qradar-json')[1]!, recordLines: (t) => lineNumbers(t, (l) => l.startsWith('{"starttime"')), breakLine: jsonJunk },
  // CSV: one more cell than the header has (before the CR of a CRLF line).
  { format: 'qradar-csv', seed: seedsFor('qradar-csv')[1]!, recordLines: (t) => lineNumbers(t, (l) => l !== '').slice(1), breakLine: (line) => line.replace(/\r?$/, ',x$&') },
  { format: 'defender', seed: seedsFor('defender')[0]!, recordLines: (t) => lineNumbers(t, (l) => l !== '' && l !== '\r').slice(1), breakLine: (line) => line.replace(/\r?$/, ',x$&') },
  {
    format: 'sysmon-linux-syslog', seed: seedsFor('sysmon-linux-syslog')[0]!,
    recordLines: (t) => lineNumbers(t, (l) => l.includes('<Event>')),
    // An element that never closes: the transport cut it (kept, marked) is not what we want: break the XML itself.
    breakLine: (line, junk) => line.replace('<System>', `<System><${junk.replace(/[^a-z]/gi, 'x') || 'x'} a="1>`),
  },
];

collectCoverage('resync');

describe('fuzz: one broken record, the others read', () => {
  for (const subject of SUBJECTS) {
    it(`${subject.format}`, async () => {
      const text = subject.seed.toString('utf8');
      const lines = subject.recordLines(text);
      expect(lines.length, 'records in the seed').toBeGreaterThan(2);
      const clean = await readBytes(reader(subject.format), subject.seed, [65_536]);
      expect(clean.error).toBeUndefined();
      const byLine = (events: NormalizedEvent[]) => events.map((e) => JSON.stringify(e.fields));
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: lines.length - 1 }),
          // Not '}{': evtx-json and qradar-json read `{}{…}` as two objects (concatenated objects are their format).
          fc.constantFrom('@', '#!', 'junk', '"x" 1', ':,', '"a":', '[', '"unclosed'),
          fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 3 }),
          async (which, junk, chunks) => {
            const line = lines[which]!;
            const all = text.split('\n');
            all[line - 1] = subject.breakLine(all[line - 1]!, junk);
            const broken = Buffer.from(all.join('\n'));
            await recordCase(`resync ${subject.format}`, broken);
            const outcome = await readBytes(reader(subject.format), broken, chunks);
            if (outcome.error !== undefined) throw outcome.error;
            // The record of that line: by line, or (qradar-json) by its index in the array.
            const lost = clean.events.find((e) => (e.source.line !== undefined ? e.source.line === line : e.source.record === which));
            expect(byLine(outcome.events)).toEqual(byLine(clean.events.filter((e) => e !== lost)));
            const fresh = outcome.bad.filter((b) => !clean.bad.some((c) => c.line === b.line && c.reason === b.reason));
            expect(fresh.map((b) => b.line)).toEqual([line]);
          },
        ),
        params(40),
      );
    });
  }
});
