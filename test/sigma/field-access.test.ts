/** EventContext: one context reused event after event never answers with a previous event's field. */
import { describe, expect, it } from 'vitest';
import { EventContext, fieldSlot } from '../../src/sigma/field-access.js';

describe('EventContext', () => {
  it('forgets the previous event on reset', () => {
    const ctx = new EventContext({ Image: 'C:\\A.EXE', User: 'X' });
    expect(ctx.lower('Image')).toBe('c:\\a.exe');
    expect(ctx.allLower()).toEqual(['c:\\a.exe', 'x']);
    ctx.reset({ CommandLine: 'B' });
    expect(ctx.lower('Image')).toBeUndefined();
    expect(ctx.lowerAt(fieldSlot('CommandLine'))).toBe('b');
    expect(ctx.allLower()).toEqual(['b']);
  });

  it("gives keywords every recorded string value, nested ones included, and none of the enricher's", () => {
    const enriched = {
      CommandLine: 'child.exe',
      Details: { Nested: ['a', 7, { deeper: 'b' }] },
      AncestorImages: ['C:\\x\\mimikatz.exe'],
      AncestorCommandLines: ['mimikatz sekurlsa::logonpasswords'],
      InstallPackageManager: 'npm',
      InstallPackage: 'evil',
      InstallPhase: 'postinstall',
      InstallRole: 'script',
      InstallId: 'i1',
      DestinationIp: '10.0.0.1',
      DestinationHostname: 'from-dns.example',
      DestinationHostnameSource: 'dns',
      DestinationIsAllowedRegistry: false,
    };
    expect(new EventContext(enriched).all()).toEqual(['child.exe', 'a', 'b', '10.0.0.1']);
    // A host name the log recorded is searched.
    expect(new EventContext({ DestinationHostname: 'recorded.example', DestinationIsAllowedRegistry: true }).all()).toEqual(['recorded.example']);
  });

  it('caches fields registered after the context was made, past its first capacity', () => {
    const ctx = new EventContext({});
    const names = Array.from({ length: 300 }, (_, i) => `Late${i}`);
    const slots = names.map(fieldSlot);
    ctx.reset(Object.fromEntries(names.map((n, i) => [n, `V${i}`])));
    slots.forEach((slot, i) => expect(ctx.lowerAt(slot)).toBe(`v${i}`));
    ctx.reset({ Late299: 'W' });
    expect(ctx.lowerAt(slots[299]!)).toBe('w');
    expect(ctx.lowerAt(slots[0]!)).toBeUndefined();
  });

  it('stays correct when its generation counter wraps around', () => {
    // A slot never looked up has stamp 0: generation 0 would take its empty entry as cached.
    const ctx = new EventContext({});
    (ctx as unknown as { generation: number }).generation = 0xffffffff;
    ctx.reset({ Image: 'B' });
    expect(ctx.lower('Image')).toBe('b');
    ctx.reset({});
    expect(ctx.lower('Image')).toBeUndefined();
  });
});
