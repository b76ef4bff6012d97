/**
 * The event fields a rule reads: detection keys (the part before the first `|`), and for a
 * correlation its group-by fields and `value_count` field. Used to skip work no rule needs
 * (e.g. enrichment) — so it must never miss a field. Keywords name none: they search every
 * value the event recorded, and none the enricher adds (field-access.ts `all`).
 */
export interface FieldUse {
  fields: Set<string>;
}

export function detectionFields(detection: unknown, use: FieldUse = { fields: new Set() }): FieldUse {
  if (detection === null || typeof detection !== 'object') return use;
  for (const [name, search] of Object.entries(detection as Record<string, unknown>)) {
    if (name === 'condition' || name === 'timeframe') continue;
    searchFields(search, use);
  }
  return use;
}

function searchFields(search: unknown, use: FieldUse): void {
  if (Array.isArray(search)) {
    // Plain values in the list are keywords.
    for (const item of search) if (item !== null && typeof item === 'object') searchFields(item, use);
  } else if (search !== null && typeof search === 'object') {
    for (const key of Object.keys(search as Record<string, unknown>)) {
      const field = key.split('|')[0]!;
      // `'|re': …` and the like: keywords with modifiers.
      if (field !== '') use.fields.add(field);
    }
  }
}

export function correlationFields(correlation: unknown, use: FieldUse): FieldUse {
  if (correlation === null || typeof correlation !== 'object') return use;
  const c = correlation as Record<string, unknown>;
  const groupBy = c['group-by'];
  if (Array.isArray(groupBy)) for (const g of groupBy) if (typeof g === 'string') use.fields.add(g);
  const condition = c.condition as Record<string, unknown> | undefined;
  if (condition && typeof condition.field === 'string') use.fields.add(condition.field);
  // Aliases map a name to a field per base rule.
  const aliases = c.aliases as Record<string, Record<string, unknown>> | undefined;
  if (aliases && typeof aliases === 'object') {
    for (const perRule of Object.values(aliases)) {
      if (perRule && typeof perRule === 'object') for (const f of Object.values(perRule)) if (typeof f === 'string') use.fields.add(f);
    }
  }
  return use;
}
