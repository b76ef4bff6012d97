import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DnsMap } from '../../src/enrich/dns-map.js';
import { LIMITS, type Limits } from '../../src/enrich/limits.js';
import type { NameResolved } from '../../src/enrich/records.js';
import { emptyDns, ReferenceDnsMap } from './reference-dns-map.js';

/**
 * The compact DNS map against the Map of objects it replaced (reference-dns-map.ts): random
 * answers over a few hosts, addresses and names, times out of order, a small cap and TTL; after
 * every answer each address is looked up at several times in both.
 */
const HOSTS = ['ws-1', 'ws-2'];
const IPS = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '::1', '2001:db8::7', '203.0.113.9'];
const NAMES = ['registry.npmjs.org', 'evil.example', 'pypi.org', 'ünïcode.example'];

const answer = fc.record({
  host: fc.constantFrom(...HOSTS),
  step: fc.option(fc.integer({ min: -5, max: 15 }), { nil: undefined, freq: 10 }),
  name: fc.constantFrom(...NAMES),
  ips: fc.array(fc.constantFrom(...IPS), { minLength: 1, maxLength: 3 }),
});
const limits = fc.record({ maxDnsEntries: fc.integer({ min: 0, max: 6 }), dnsTtlMs: fc.integer({ min: 0, max: 40 }), pidSkewMs: fc.integer({ min: 0, max: 6 }) });

describe('compact DNS map against the Map-of-objects model', () => {
  it('answers every lookup the same after every answer, with evictions by cap and by age', () => {
    fc.assert(
      fc.property(limits, fc.array(answer, { minLength: 50, maxLength: 200 }), (small, answers) => {
        const lim: Limits = { ...LIMITS, ...small };
        const map = new DnsMap(lim);
        const ref = new ReferenceDnsMap(emptyDns(), lim);
        let clock = 1_000;
        for (const { step, ...a } of answers) {
          if (step !== undefined) clock += step;
          const rec: NameResolved = { kind: 'dns', ...a, time: step === undefined ? undefined : clock };
          map.add(rec);
          ref.add(structuredClone(rec));
          expect(map.size).toBe(ref.data.entries.size);
          for (const host of HOSTS) {
            for (const ip of IPS) {
              for (const time of [clock - 10, clock, clock + 10, undefined]) expect(map.lookup(host, ip, time)).toBe(ref.lookup(host, ip, time));
            }
          }
        }
      }),
      { numRuns: 100 },
    );
  }, 60_000);
});
