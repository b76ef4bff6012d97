/**
 * The flat events table the `sql` target queries (DuckDB), built from normalized events:
 *   _id BIGINT (input order), _time BIGINT (epoch ms), _category/_product/_service/_host/_user VARCHAR,
 *   _nulls VARCHAR[] (fields present with JSON null), _strings VARCHAR[] (every string value keywords search:
 *   sigma/field-access.ts recordedStrings),
 *   then one VARCHAR column per field: strings as is, numbers and booleans as text, absent = NULL.
 * Nested objects are flattened to dotted names (`a.b`), lists as JSON text.
 * DuckDB identifiers are case-insensitive, so two field names equal but for case cannot both be
 * columns: the first one seen wins and the other is reported back to the caller.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { LIST, VARCHAR, listValue } from '@duckdb/node-api';
import type { FieldValue, Fields, NormalizedEvent } from '../events/event.js';
import { recordedStrings } from '../sigma/field-access.js';

export function flatFields(fields: Fields, prefix = '', out: Record<string, FieldValue> = {}): Record<string, FieldValue> {
  for (const [k, v] of Object.entries(fields)) {
    const name = prefix + k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatFields(v, name + '.', out);
    else out[name] = v;
  }
  return out;
}

export async function createEventsTable(db: DuckDBConnection, events: readonly NormalizedEvent[]): Promise<{ columns: string[]; shadowed: string[] }> {
  const byLower = new Map<string, string>();
  const shadowed = new Set<string>();
  const flat = events.map((e) => flatFields(e.fields));
  for (const f of flat)
    for (const k of Object.keys(f)) {
      const prev = byLower.get(k.toLowerCase());
      if (prev === undefined) byLower.set(k.toLowerCase(), k);
      else if (prev !== k) shadowed.add(k);
    }
  const columns = [...byLower.values()];
  const q = (n: string) => `"${n.replace(/"/g, '""')}"`;
  await db.run(
    `CREATE TABLE events ("_id" BIGINT, "_time" BIGINT, "_category" VARCHAR, "_product" VARCHAR, "_service" VARCHAR, "_host" VARCHAR, "_user" VARCHAR, "_nulls" VARCHAR[], "_strings" VARCHAR[]${columns.map((c) => `, ${q(c)} VARCHAR`).join('')})`,
  );
  const app = await db.createAppender('events');
  const opt = (v: string | undefined) => (v === undefined ? app.appendNull() : app.appendVarchar(v));
  events.forEach((e, i) => {
    const f = flat[i]!;
    app.appendBigInt(BigInt(i));
    if (e.time === undefined) app.appendNull();
    else app.appendBigInt(BigInt(e.time));
    opt(e.category);
    opt(e.product);
    opt(e.service);
    opt(e.host);
    opt(e.user);
    app.appendList(listValue(Object.keys(f).filter((k) => f[k] === null)), LIST(VARCHAR));
    const all: string[] = [];
    recordedStrings(e.fields, all);
    app.appendList(listValue(all), LIST(VARCHAR));
    for (const c of columns) {
      const v = f[c];
      if (v === undefined || v === null) app.appendNull();
      else app.appendVarchar(typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
    app.endRow();
  });
  app.closeSync();
  return { columns, shadowed: [...shadowed] };
}
