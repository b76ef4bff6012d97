/**
 * Numbers of the enrichment state as JSON can hold them (checkpoints): NaN, which marks an
 * unknown pid or time, as null; the infinities (a clock before any event) as text.
 */
export type JsonNumber = number | null | 'Infinity' | '-Infinity';

export const toJsonNumber = (n: number): JsonNumber => (Number.isFinite(n) ? n : Number.isNaN(n) ? null : n > 0 ? 'Infinity' : '-Infinity');

export const fromJsonNumber = (n: JsonNumber): number => (n === null ? NaN : Number(n));
