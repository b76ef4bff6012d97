/**
 * Per-event field access with caches, so that N rules reading `CommandLine` resolve and
 * lower-case it once per event instead of N times.
 */
import type { FieldValue, Fields } from '../events/event.js';
import { ENRICHED_FIELDS } from '../enrich/fields.js';

/**
 * The field name that stands for every string value of the event, nested ones included: where
 * keywords (values without a field) search. No Sigma field is named so.
 */
export const EVERY_VALUE = '';

/** Lower-cased string forms of a field: one string, several (list fields), or none. */
export type LowerForms = string | string[] | undefined;

/**
 * Every field name a compiled matcher or index reads gets a slot number once, at compile time,
 * so that per-event caches are typed arrays indexed by slot instead of Maps keyed by name
 * (Map lookups cost more than the lower-casing itself: docs/performance.md#field-slots).
 */
const slotIds = new Map<string, number>();
const slotNames: string[] = [];

export function fieldSlot(name: string): number {
  let slot = slotIds.get(name);
  if (slot === undefined) {
    slot = slotNames.push(name) - 1;
    slotIds.set(name, slot);
  }
  return slot;
}

export class EventContext {
  /**
   * Lower-cased forms by slot, valid where `stamps[slot] === generation`: one context serves
   * event after event (`reset`), so no cache is allocated or cleared per event.
   */
  private stamps = new Uint32Array(64);
  private lowered: LowerForms[] = new Array<LowerForms>(64).fill(undefined);
  private generation = 1;
  private allLowerCache: string[] | undefined;
  private allCache: string[] | undefined;

  constructor(public fields: Fields) {}

  /** Starts on the next event: every cached form of the previous one becomes stale. */
  reset(fields: Fields): void {
    this.fields = fields;
    this.allLowerCache = this.allCache = undefined;
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  /** Field value, or undefined when absent. Direct key first, then dotted-path resolution. */
  get(name: string): FieldValue | undefined {
    const f = this.fields;
    if (Object.hasOwn(f, name)) return f[name];
    return name.includes('.') ? resolvePath(f, name.split('.'), 0) : undefined;
  }

  /** `get` by slot (fieldSlot). */
  getAt(slot: number): FieldValue | undefined {
    return this.get(slotNames[slot]!);
  }

  /** Lower-cased string forms of the field's scalar values (numbers and booleans stringified). */
  lower(name: string): LowerForms {
    return this.lowerAt(fieldSlot(name));
  }

  /** `lower` by slot (fieldSlot): what compiled matchers call. */
  lowerAt(slot: number): LowerForms {
    const stamps = this.stamps;
    if (slot < stamps.length) {
      if (stamps[slot] === this.generation) return this.lowered[slot];
    } else {
      this.stamps = new Uint32Array(Math.max(slot + 1, stamps.length * 2));
      this.stamps.set(stamps);
      // Filled, not just lengthened: an array with holes is slower to index.
      while (this.lowered.length < this.stamps.length) this.lowered.push(undefined);
    }
    const v = lowerForms(this.get(slotNames[slot]!));
    this.stamps[slot] = this.generation;
    this.lowered[slot] = v;
    return v;
  }

  /** Lower-cased form of every string value anywhere in the event (for keywords). */
  allLower(): string[] {
    return (this.allLowerCache ??= this.all().map((s) => s.toLowerCase()));
  }

  /**
   * Every string value the event recorded, nested ones included, original case: what keywords
   * search. Not the enricher's fields (ancestry, install context, a host name from DNS): a
   * keyword found in an ancestor's command line would match every descendant's events, and a
   * keyword rule would give other alerts depending on whether another rule needed enrichment.
   */
  all(): string[] {
    if (!this.allCache) {
      const out: string[] = [];
      recordedStrings(this.fields, out);
      this.allCache = out;
    }
    return this.allCache;
  }
}

const contexts = new WeakMap<Fields, EventContext>();

/** The shared context of an event's fields object (one per event, reused across rules). */
export function contextFor(fields: Fields): EventContext {
  let ctx = contexts.get(fields);
  if (!ctx) {
    ctx = new EventContext(fields);
    contexts.set(fields, ctx);
  }
  return ctx;
}

/**
 * Resolve `a.b.c` in nested objects. Keys may themselves contain dots (`User` → `Mobile.phone`),
 * so every split of the remaining segments is tried, shortest key first. Lists of objects are
 * searched element-wise and the hits collected into one list.
 */
function resolvePath(obj: FieldValue, segs: string[], from: number): FieldValue | undefined {
  if (Array.isArray(obj)) {
    const hits: FieldValue[] = [];
    for (const el of obj) {
      const v = resolvePath(el, segs, from);
      if (v !== undefined) hits.push(...(Array.isArray(v) ? v : [v]));
    }
    return hits.length ? hits : undefined;
  }
  if (obj === null || typeof obj !== 'object') return undefined;
  let key = '';
  for (let j = from; j < segs.length; j++) {
    key = j === from ? segs[j]! : key + '.' + segs[j];
    if (!Object.hasOwn(obj, key)) continue;
    const v = obj[key]!;
    if (j === segs.length - 1) return v;
    const deeper = resolvePath(v, segs, j + 1);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

function lowerForms(v: FieldValue | undefined): LowerForms {
  if (typeof v === 'string') return v.toLowerCase();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (!Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const el of v.flat(Infinity as 1) as FieldValue[]) {
    if (typeof el === 'string') out.push(el.toLowerCase());
    else if (typeof el === 'number' || typeof el === 'boolean') out.push(String(el));
  }
  return out;
}

/** Scalars of a value, lists flattened (objects and nulls are not scalars here). */
export function scalars(v: FieldValue | undefined): (string | number | boolean | null)[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return (v.flat(Infinity as 1) as FieldValue[]).filter((x) => x === null || typeof x !== 'object') as (string | number | boolean | null)[];
  return typeof v === 'object' && v !== null ? [] : [v];
}

/** The event's string values that keywords search (EventContext.all): every one but the enricher's. */
export function recordedStrings(fields: Fields, out: string[]): void {
  const hostnameFromDns = fields.DestinationHostnameSource === 'dns';
  for (const key in fields) {
    if (ENRICHED_FIELDS.has(key) && (key !== 'DestinationHostname' || hostnameFromDns)) continue;
    collectStrings(fields[key]!, out);
  }
}

function collectStrings(v: FieldValue, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const el of v) collectStrings(el, out);
  else if (v !== null && typeof v === 'object') for (const k in v) collectStrings(v[k]!, out);
}
