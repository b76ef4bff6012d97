/**
 * A constant table's entry for a name taken from the input (a rule's field or service, a
 * message's label, a CSV cell): only the table's own entries, never what every object inherits
 * (`constructor`, `toString`, `hasOwnProperty` are names a file may hold).
 */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
