/** Small type guards shared by the JSON readers. */
import type { FieldValue } from '../events/event.js';

export type JsonObject = { [key: string]: FieldValue };

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A non-empty string, or a number as a string (EventID 1 and "1" are the same id). */
export function stringOf(value: FieldValue | undefined): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  return typeof value === 'number' ? String(value) : undefined;
}
