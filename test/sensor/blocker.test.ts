import { describe, expect, it } from 'vitest';
import { Blocker } from '../../src/sensor/blocker.js';

describe('the blocker', () => {
  it('blocks once, on high or critical only, and kills late-comers after', () => {
    const killed: number[] = [];
    const b = new Blocker(true, (pid) => killed.push(pid));
    expect(b.shouldBlock('medium')).toBe(false);
    expect(b.shouldBlock(undefined)).toBe(false);
    expect(b.shouldBlock('High')).toBe(true);
    expect(b.shouldBlock('critical')).toBe(true);
    b.killTree([5, 6], 'rule', 'high', 0);
    expect(b.shouldBlock('critical')).toBe(false);
    b.killLate([5, 6, 7]);
    expect(killed).toEqual([5, 6, 7]);
    expect(new Blocker(false, () => undefined).shouldBlock('critical')).toBe(false);
  });

  it('kills nothing before it has triggered', () => {
    const killed: number[] = [];
    new Blocker(true, (pid) => killed.push(pid)).killLate([1, 2]);
    expect(killed).toEqual([]);
  });
});
