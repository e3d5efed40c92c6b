/** The ledger's timestamps (timestamptz as Postgres writes it in JSON) in the forms the APIs show. */

/** `2026-03-31T12:00:00Z`: UTC to the whole second, as Lumen's and Kit's references write times. */
export function isoSeconds(timestamp: string): string {
  return new Date(timestamp).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A UNIX timestamp in whole seconds, as DPD shows times and the card processor lists them. */
export function unixSeconds(timestamp: string): number {
  return Math.floor(Date.parse(timestamp) / 1000);
}
