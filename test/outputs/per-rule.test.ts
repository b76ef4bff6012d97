import { describe, expect, it } from 'vitest';
import { perRule } from '../../src/outputs/per-rule.js';
import { hostileRule } from './hostile-alert.js';

describe('perRule: the per-rule part of a formatted alert (CEF and LEEF headers, the JSONL rule)', () => {
  it('is made once per rule object and reused for its later alerts', () => {
    const made: string[] = [];
    const headOf = perRule((rule) => {
      made.push(rule.title);
      return `head of ${rule.title}`;
    });
    const first = hostileRule({ title: 'first' });
    const second = hostileRule({ title: 'second' });
    expect([headOf(first), headOf(second), headOf(first), headOf(second)]).toEqual(['head of first', 'head of second', 'head of first', 'head of second']);
    expect(made).toEqual(['first', 'second']);
  });

  it('keeps apart two rule objects with the same id (a level override makes a rule object of its own)', () => {
    const headOf = perRule((rule) => `${rule.id} ${rule.level}`);
    const high = hostileRule({ id: 'same', level: 'high' });
    const low = hostileRule({ id: 'same', level: 'low' });
    expect([headOf(high), headOf(low)]).toEqual(['same high', 'same low']);
  });
});
