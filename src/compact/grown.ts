type NumberArray = Uint8Array | Int32Array | Uint16Array | Float64Array;

/** A longer array of the same kind holding `old`'s values first (the compact tables grow by doubling). */
export function grown<T extends NumberArray>(old: T, length: number): T {
  const larger = new (old.constructor as new (length: number) => T)(length);
  larger.set(old);
  return larger;
}
