/**
 * `key` set in `map` as its newest entry, the oldest dropped past `max` entries (a Map keeps
 * insertion order): the per-input tables of the readers (processes seen, sensors) stay bounded
 * whatever the input holds.
 */
export function rememberRecent<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}
