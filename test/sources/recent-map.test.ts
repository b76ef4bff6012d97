import { describe, expect, it } from 'vitest';
import { rememberRecent } from '../../src/sources/recent-map.js';

describe('rememberRecent', () => {
  it('keeps the newest entries up to the bound, a key set again counting as new', () => {
    const map = new Map<string, number>();
    for (const [key, value] of [['a', 1], ['b', 2], ['c', 3], ['a', 4], ['d', 5]] as const) rememberRecent(map, key, value, 3);
    expect([...map]).toEqual([['c', 3], ['a', 4], ['d', 5]]);
  });
});
