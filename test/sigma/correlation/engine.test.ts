import { describe, expect, it } from 'vitest';
import { MAX_GROUPS } from '../../../src/sigma/correlation/engine.js';
import { correlationAlerts, ev, lines, packOf, run, S, T0 } from './helpers.js';

const EVENT_COUNT = `
title: Three A per user within a minute
id: 11111111-0000-4000-8000-000000000001
level: high
correlation:
  type: event_count
  rules: [a]
  group-by: [User]
  timespan: 1m
  condition: {gte: 3}
`;

describe('event_count', () => {
  it('fires when the count is reached inside the sliding window, naming the events', () => {
    const events = [ev(1, T0, { User: 'u' }), ev(1, T0 + 20 * S, { User: 'u' }), ev(2, T0 + 30 * S, { User: 'u' }), ev(1, T0 + 40 * S, { User: 'u' })];
    const found = correlationAlerts(run(packOf(EVENT_COUNT), events));
    expect(found).toHaveLength(1);
    expect(found[0]!.rule.title).toBe('Three A per user within a minute');
    expect(lines(found[0]!)).toEqual([events[0]!.source.line, events[1]!.source.line, events[3]!.source.line]);
    expect(found[0]!.event.fields).toMatchObject({ User: 'u', CorrelationType: 'event_count', CorrelationCount: 3 });
    expect(found[0]!.event.time).toBe(T0 + 40 * S);
    expect(found[0]!.seq).toBe(4); // after the alerts of the event that completed it
  });

  it('window boundary: events exactly one timespan apart are inside, one ms more is outside', () => {
    const inside = [ev(1, T0), ev(1, T0 + 30 * S), ev(1, T0 + 60 * S)];
    const outside = [ev(1, T0), ev(1, T0 + 30 * S), ev(1, T0 + 60 * S + 1)];
    expect(correlationAlerts(run(packOf(EVENT_COUNT), inside))).toHaveLength(1);
    expect(correlationAlerts(run(packOf(EVENT_COUNT), outside))).toHaveLength(0);
  });

  it('counts per group-by value', () => {
    const events = [ev(1, T0, { User: 'u' }), ev(1, T0 + S, { User: 'v' }), ev(1, T0 + 2 * S, { User: 'u' }), ev(1, T0 + 3 * S, { User: 'v' }), ev(1, T0 + 4 * S, { User: 'v' })];
    const found = correlationAlerts(run(packOf(EVENT_COUNT), events));
    expect(found.map((a) => a.event.fields.User)).toEqual(['v']);
  });

  it('slightly out-of-order events count by their own time', () => {
    const events = [ev(1, T0 + 50 * S), ev(1, T0 + 10 * S), ev(1, T0 + 30 * S)];
    const found = correlationAlerts(run(packOf(EVENT_COUNT), events));
    expect(found).toHaveLength(1);
    expect(found[0]!.correlated!.map((r) => r.time)).toEqual([T0 + 10 * S, T0 + 30 * S, T0 + 50 * S]); // time order
    // A late event older than the window ending at the newest is dropped.
    expect(correlationAlerts(run(packOf(EVENT_COUNT), [ev(1, T0 + 100 * S), ev(1, T0 + 101 * S), ev(1, T0 + 10 * S)]))).toHaveLength(0);
  });

  it('one alert per burst: the group starts afresh after firing', () => {
    const burst = Array.from({ length: 7 }, (_, i) => ev(1, T0 + i * S));
    expect(correlationAlerts(run(packOf(EVENT_COUNT), burst))).toHaveLength(2); // events 1-3, 4-6; the 7th alone
  });

  it('an upper bound is decided when the window closes (at the end of input here)', () => {
    const few = packOf(EVENT_COUNT.replace('{gte: 3}', '{lt: 3}'));
    const found = correlationAlerts(run(few, [ev(1, T0, { User: 'u' }), ev(1, T0 + S, { User: 'u' }), ev(1, T0, { User: 'w' }), ev(1, T0 + S, { User: 'w' }), ev(1, T0 + 2 * S, { User: 'w' })]));
    expect(found.map((a) => [a.event.fields.User, a.event.fields.CorrelationCount])).toEqual([['u', 2]]);
    // A later match outside the window closes it at once.
    const closed = correlationAlerts(run(few, [ev(1, T0), ev(1, T0 + 61 * S)]));
    expect(closed.map((a) => a.event.fields.CorrelationCount)).toEqual([1, 1]);
  });

  it("an idle group is decided once the clock (any group's newest match) passes its window", () => {
    const few = packOf(EVENT_COUNT.replace('{gte: 3}', '{lt: 3}'));
    const found = correlationAlerts(run(few, [ev(1, T0, { User: 'u' }), ev(1, T0 + 120 * S, { User: 'w' })]));
    expect(found.map((a) => [a.event.fields.User, a.seq])).toEqual([['u', 2], ['w', 2]]); // u decided at the 2nd match, w at the end
  });

  it('events without a time take no part', () => {
    const events = [ev(1, T0), ev(1, T0 + S), ev(1, T0 + 2 * S)];
    delete (events[1] as { time?: number }).time;
    expect(correlationAlerts(run(packOf(EVENT_COUNT), events))).toHaveLength(0);
  });

  it('keeps at most MAX_GROUPS groups: the least recently updated is evicted', () => {
    const events = [ev(1, T0, { User: 'first' }), ev(1, T0 + 1, { User: 'first' })];
    for (let i = 0; i < MAX_GROUPS; i += 1) events.push(ev(1, T0 + 2, { User: `u${i}` }));
    events.push(ev(1, T0 + 3, { User: 'first' }));
    expect(correlationAlerts(run(packOf(EVENT_COUNT), events))).toHaveLength(0);
  });
});

describe('value_count', () => {
  const RULE = `
title: Many users from one host
correlation:
  type: value_count
  rules: [a]
  group-by: [Computer]
  timespan: 5m
  condition: {field: TargetUserName, gte: 3}
`;
  it('counts distinct values per group; repeats and absent values do not count', () => {
    const events = [
      ev(1, T0, { TargetUserName: 'x' }), ev(1, T0 + S, { TargetUserName: 'x' }), ev(1, T0 + 2 * S),
      ev(1, T0 + 3 * S, { TargetUserName: 'y' }), ev(1, T0 + 4 * S, { TargetUserName: 'z' }, 'H2'), ev(1, T0 + 5 * S, { TargetUserName: 'z' }),
    ];
    const found = correlationAlerts(run(packOf(RULE), events));
    expect(found).toHaveLength(1);
    expect(found[0]!.event.fields).toMatchObject({ Computer: 'H1', CorrelationCount: 3 });
    expect(lines(found[0]!)).toEqual([events[0]!.source.line, events[3]!.source.line, events[5]!.source.line]);
  });
});

describe('temporal', () => {
  const RULE = `
title: A, B and C on one host within 5 minutes
correlation:
  type: temporal
  rules: [a, b, c]
  group-by: [Computer]
  timespan: 5m
`;
  it('fires when every rule matched within the timespan, in any order', () => {
    const events = [ev(3, T0), ev(1, T0 + 60 * S), ev(1, T0 + 61 * S), ev(2, T0 + 299 * S)];
    const found = correlationAlerts(run(packOf(RULE), events));
    expect(found).toHaveLength(1);
    // The latest match of each rule.
    expect(found[0]!.correlated!.map((r) => r.title)).toEqual(['C', 'A', 'B']);
    expect(lines(found[0]!)).toEqual([events[0]!.source.line, events[2]!.source.line, events[3]!.source.line]);
  });
  it('not when one is outside the window or on another host', () => {
    expect(correlationAlerts(run(packOf(RULE), [ev(3, T0), ev(1, T0 + 60 * S), ev(2, T0 + 301 * S)]))).toHaveLength(0);
    expect(correlationAlerts(run(packOf(RULE), [ev(3, T0), ev(1, T0 + S), ev(2, T0 + 2 * S, {}, 'H2')]))).toHaveLength(0);
  });
  it('a condition may ask for fewer than all rules', () => {
    const two = packOf(RULE.replace('timespan: 5m', 'timespan: 5m\n  condition: {gte: 2}'));
    expect(correlationAlerts(run(two, [ev(3, T0), ev(3, T0 + S), ev(1, T0 + 2 * S)]))).toHaveLength(1);
  });
});

describe('temporal_ordered', () => {
  const RULE = `
title: A then B then C
correlation:
  type: temporal_ordered
  rules: [a, b, c]
  group-by: [Computer]
  timespan: 2m
`;
  it('fires only for the order given', () => {
    const ok = [ev(1, T0), ev(2, T0 + 10 * S), ev(3, T0 + 20 * S)];
    const found = correlationAlerts(run(packOf(RULE), ok));
    expect(found).toHaveLength(1);
    expect(lines(found[0]!)).toEqual(ok.map((e) => e.source.line));
    expect(correlationAlerts(run(packOf(RULE), [ev(2, T0), ev(1, T0 + 10 * S), ev(3, T0 + 20 * S)]))).toHaveLength(0);
  });
  it('picks the chain out of noise: a B before any A is ignored', () => {
    const events = [ev(2, T0), ev(1, T0 + S), ev(3, T0 + 2 * S), ev(2, T0 + 3 * S), ev(3, T0 + 4 * S)];
    const found = correlationAlerts(run(packOf(RULE), events));
    expect(found).toHaveLength(1);
    expect(lines(found[0]!)).toEqual([events[1]!.source.line, events[3]!.source.line, events[4]!.source.line]);
  });
  it('order is by event time, so a slightly late A still starts the chain', () => {
    const events = [ev(2, T0 + 10 * S), ev(1, T0), ev(3, T0 + 20 * S)];
    expect(correlationAlerts(run(packOf(RULE), events))).toHaveLength(1);
  });
  it('window boundary: the whole chain within the timespan', () => {
    expect(correlationAlerts(run(packOf(RULE), [ev(1, T0), ev(2, T0 + S), ev(3, T0 + 120 * S)]))).toHaveLength(1);
    expect(correlationAlerts(run(packOf(RULE), [ev(1, T0), ev(2, T0 + S), ev(3, T0 + 120 * S + 1)]))).toHaveLength(0);
  });
});

describe('rule references, generate, aliases and chaining', () => {
  it('referenced rules are silent unless generate is true', () => {
    const rule = `
title: A twice
correlation: {type: event_count, rules: [a], timespan: 1m, condition: {gte: 2}}
`;
    const silent = run(packOf(rule), [ev(1, T0), ev(1, T0 + S), ev(2, T0 + 2 * S)]);
    expect(silent.map((a) => a.rule.title)).toEqual(['A twice', 'B']);
    const loud = run(packOf(rule.replace('condition:', 'generate: true, condition:')), [ev(1, T0), ev(1, T0 + S)]);
    expect(loud.map((a) => a.rule.title)).toEqual(['A', 'A', 'A twice']);
  });

  it('a rule may be referred to by id, and no group-by means one group', () => {
    const rule = `
title: By id
correlation: {type: event_count, rules: [00000000-0000-4000-8000-00000000000a], timespan: 1m, condition: {gte: 2}}
`;
    expect(correlationAlerts(run(packOf(rule), [ev(1, T0, {}, 'H1'), ev(1, T0 + S, {}, 'H2')]))).toHaveLength(1);
  });

  it('aliases group different fields of different rules', () => {
    const rule = `
title: Same address as source then destination
correlation:
  type: temporal_ordered
  rules: [a, b]
  group-by: [ip]
  timespan: 1m
  aliases:
    ip: {a: SourceIp, b: DestinationIp}
`;
    const found = correlationAlerts(run(packOf(rule), [ev(1, T0, { SourceIp: '10.0.0.1' }), ev(2, T0 + S, { DestinationIp: '10.0.0.2' }), ev(2, T0 + 2 * S, { DestinationIp: '10.0.0.1' })]));
    expect(found.map((a) => a.event.fields.ip)).toEqual(['10.0.0.1']);
  });

  it('correlations chain (the specification example: many failures, then a success)', () => {
    const rule = `
title: Many A then a B
correlation: {type: temporal_ordered, rules: [many_a, b], group-by: [User], timespan: 10m}
level: high
---
title: Many A
name: many_a
correlation: {type: event_count, rules: [a], group-by: [User], timespan: 10m, condition: {gte: 3}}
`;
    const events = [ev(1, T0, { User: 'u' }), ev(1, T0 + S, { User: 'u' }), ev(1, T0 + 2 * S, { User: 'u' }), ev(2, T0 + 3 * S, { User: 'u' })];
    const alerts = run(packOf(rule), events);
    expect(alerts.map((a) => a.rule.title)).toEqual(['Many A then a B']); // Many A is silent: it feeds the outer correlation
    expect(lines(alerts[0]!)).toEqual(events.map((e) => e.source.line));
  });
});
