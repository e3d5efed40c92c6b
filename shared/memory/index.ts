/**
 * Bounded isolate memory: what a worker keeps across requests (verified credentials, signed
 * tokens, opened consumer secrets) must be plain settled data and must not grow without end.
 */

/** Sets `key` as the newest entry; past `size` entries the oldest is forgotten. */
export function remember<V>(map: Map<string, V>, key: string, value: V, size: number): void {
  map.delete(key);
  if (map.size >= size) map.delete(map.keys().next().value!);
  map.set(key, value);
}
