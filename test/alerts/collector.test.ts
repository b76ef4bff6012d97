import { describe, expect, it } from 'vitest';
import { AlertCollector } from '../../src/alerts/collector.js';
import type { FormattedAlert } from '../../src/alerts/formatted.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('AlertCollector with encoded alerts', () => {
  const bytes = Buffer.from('a\nbb\nccc\n');
  const ends = Uint32Array.from([2, 5, 9]);

  it('emits a range of encoded alerts as one piece, interleaved with text alerts', () => {
    const out: string[] = [];
    const collector = new AlertCollector((a) => out.push(a.text), undefined, undefined, (b, n) => out.push(`${n}:${text(b)}`));
    collector.addEncoded(bytes, ends, 0, 1);
    collector.add({ seq: 1, rule: 'c', title: 'C', text: 'corr\n' });
    collector.addEncoded(bytes, ends, 1, 3);
    expect(out).toEqual(['1:a\n', 'corr\n', '2:bb\nccc\n']);
  });

  it('stops at the limit, counting text and encoded alerts together', () => {
    const out: string[] = [];
    const collector = new AlertCollector((a: FormattedAlert) => out.push(a.text), undefined, 3, (b, n) => out.push(`${n}:${text(b)}`));
    collector.add({ seq: 0, rule: 'c', title: 'C', text: 'first\n' });
    collector.addEncoded(bytes, ends, 0, 3);
    collector.addEncoded(bytes, ends, 0, 3);
    collector.add({ seq: 9, rule: 'c', title: 'C', text: 'late\n' });
    expect(out).toEqual(['first\n', '2:a\nbb\n']);
  });
});
