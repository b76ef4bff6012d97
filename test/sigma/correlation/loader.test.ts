import { describe, expect, it } from 'vitest';
import { loadRulesFromText } from '../../../src/sigma/index.js';
import { BASE } from './helpers.js';

const load = (yaml: string) => loadRulesFromText(yaml, 'c.yml');
const problems = (yaml: string) => load(yaml).rejected.map((p) => [p.line, p.column, p.reason]);

describe('loading correlation rules', () => {
  it('loads a correlation next to its base rules and links it to them', () => {
    const r = load(`${BASE}---
title: X
id: 22222222-0000-4000-8000-000000000001
correlation:
  type: temporal_ordered
  rules: [a, b]
  group-by: Computer
  timespan: 90s
  generate: true
`);
    expect(r.rejected).toEqual([]);
    expect(r.rules).toHaveLength(3);
    expect(r.correlations).toHaveLength(1);
    const c = r.correlations[0]!;
    expect(c.inputs.map((i) => i.title)).toEqual(['A', 'B']);
    expect([c.type, c.groupBy, c.timespanMs, c.generate, c.condition]).toEqual(['temporal_ordered', ['Computer'], 90_000, true, { gte: 2 }]);
  });

  it('takes the durations every command takes (src/duration.ts): 1h30m, 2w', () => {
    const spans = ['1h30m', '2w'].map((t) => loadRulesFromText(`${BASE}---\ntitle: X\ncorrelation: {type: event_count, rules: [a], timespan: ${t}, condition: {gte: 2}}\n`, 'c.yml').correlations[0]!.timespanMs);
    expect(spans).toEqual([5_400_000, 1_209_600_000]);
  });

  it('rejects each problem at its line and column', () => {
    const head = `title: X\ncorrelation:\n`;
    expect(problems(`${BASE}---\n${head}  type: event_count\n  rules: [a, nope]\n  timespan: 5m\n  condition: {gte: 2}\n`)).toEqual([
      [21, 14, "correlation refers to 'nope', which is not a loaded rule's id or name (missing or rejected)"],
    ]);
    expect(problems(`${head}  type: event_count\n  rules: [a]\n  timespan: 5 minutes\n  condition: {gte: 2}\n`)).toEqual([
      [5, 13, "timespan must be a duration like 90s, 30m, 24h, 7d, 2w, 1h30m, not '5 minutes'"],
    ]);
    expect(problems(`${head}  type: sum\n  rules: [a]\n  timespan: 5m\n`)[0]!.slice(0, 2)).toEqual([3, 9]);
    expect(problems(`${head}  type: value_count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: 2}\n`)).toEqual([[6, 14, 'a value_count condition needs a field']]);
    expect(problems(`${head}  type: event_count\n  rules: [a]\n  timespan: 5m\n`)).toEqual([[2, 1, 'a event_count correlation needs a condition (e.g. gte: 10)']]);
    expect(problems(`${head}  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: 5000}\n`)[0]![2]).toMatch(/above the 1000 events kept per group/);
    expect(problems(`${head}  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {over: 2}\n`)[0]!.slice(0, 2)).toEqual([6, 15]);
    expect(problems(`${head}  type: temporal\n  rules: [a]\n  timespan: 5m\n  window: 3\n`)[0]![2]).toBe("unknown correlation attribute 'window'");
  });

  it('rejects cycles, and a correlation whose referenced correlation was rejected', () => {
    const r = load(`${BASE}---
title: P
name: p
correlation: {type: temporal, rules: [q, a], timespan: 1m}
---
title: Q
name: q
correlation: {type: temporal, rules: [p, b], timespan: 1m}
---
title: R
correlation: {type: temporal, rules: [s], timespan: 1m}
---
title: S
name: s
correlation: {type: temporal, rules: [a], timespan: bad}
`);
    expect(r.correlations).toEqual([]);
    expect(r.rejected.map((p) => [p.title, p.reason.slice(0, 40)])).toEqual([
      ['S', 'timespan must be a duration like 90s, 30'],
      ['R', "correlation refers to 's', which is not "],
      ['P', 'correlation rules refer to each other in'],
      ['Q', "correlation refers to 'p', which is not "],
    ]);
  });
});
