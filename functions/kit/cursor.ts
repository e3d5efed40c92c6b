/**
 * Kit's pagination cursors: opaque to clients, here base64 of a JSON array holding the purchase
 * id at the edge of the page (the form Kit's own cursors take). Keyset cursors, so purchases
 * added while a client pages never shift what it sees.
 */

export function encodeCursor(number: number): string {
  return btoa(JSON.stringify([number]));
}

/** The id in a cursor, or null when the text is not one of ours. */
export function decodeCursor(cursor: string): number | null {
  try {
    const value: unknown = JSON.parse(atob(cursor));
    if (Array.isArray(value) && value.length === 1 && Number.isSafeInteger(value[0]) && value[0] > 0) return value[0];
  } catch {
    // not base64 or not JSON: not a cursor
  }
  return null;
}
