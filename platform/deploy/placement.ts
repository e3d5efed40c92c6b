/**
 * Where the five API workers run. Each request makes its round trips to the database (one, two for
 * a card order) and a call to its limiter, so the workers run next to the database, not next to
 * the client; the edge entry stays near the client and reaches them over service bindings.
 *
 * Their wrangler.toml files say `[placement] mode = "smart"`: Cloudflare places each where its
 * measured latency to what it calls is lowest. When deploy.toml names the Supabase project's cloud
 * region (`[placement] region = "aws:eu-central-1"`), the deploy places them in that region instead
 * (Cloudflare's placement hints, changelog 2026-01-22: "Workers run in the Cloudflare data center
 * with the lowest latency to the specified cloud region"), and creates their limiters (Durable
 * Objects) with the location hint nearest it, so the limiter call does not cross an ocean either.
 */
import type { LocationHint } from '../../shared/rate-limit/window.ts';

/**
 * The AWS regions Supabase runs projects in, and a few neighbours, with the location hint of the
 * Cloudflare region each lies in or nearest to.
 */
export const awsRegionHints: Record<string, LocationHint> = {
  'us-east-1': 'enam', // N. Virginia
  'us-east-2': 'enam', // Ohio
  'ca-central-1': 'enam', // Montréal
  'us-west-1': 'wnam', // N. California
  'us-west-2': 'wnam', // Oregon
  'sa-east-1': 'sam', // São Paulo
  'eu-west-1': 'weur', // Ireland
  'eu-west-2': 'weur', // London
  'eu-west-3': 'weur', // Paris
  'eu-central-1': 'weur', // Frankfurt
  'eu-central-2': 'weur', // Zurich
  'eu-south-1': 'weur', // Milan
  'eu-north-1': 'eeur', // Stockholm
  'ap-south-1': 'apac', // Mumbai
  'ap-southeast-1': 'apac', // Singapore
  'ap-northeast-1': 'apac', // Tokyo
  'ap-northeast-2': 'apac', // Seoul
  'ap-east-1': 'apac', // Hong Kong
  'ap-southeast-2': 'oc', // Sydney
  'me-central-1': 'me', // UAE
  'af-south-1': 'afr', // Cape Town
};

export interface Placement {
  /** What each API worker's wrangler.toml `[placement]` says at deploy. */
  config: { mode: 'smart' } | { region: string };
  /** The limiters' location hint, when the region is known. */
  locationHint?: LocationHint;
}

/** The placement for deploy.toml's `[placement] region` (`aws:<region>`), or Smart Placement without one; null for a region this deploy does not know. */
export function placementFor(region: string | undefined): Placement | null {
  if (region === undefined) return { config: { mode: 'smart' } };
  const match = /^aws:([a-z0-9-]+)$/.exec(region);
  const hint = match ? awsRegionHints[match[1]!] : undefined;
  return hint ? { config: { region }, locationHint: hint } : null;
}

/**
 * The worker's wrangler.toml with its `[placement]` table set to `placement` (the committed file
 * says `mode = "smart"`); the rest, comments included, as it is.
 */
export function withPlacement(wranglerToml: string, placement: Placement['config']): string {
  // The table's header and its key lines, up to the first blank line, comment or next table.
  const table = /^\[placement\]\n(?:[^\n#[][^\n]*\n)*/m;
  if (!table.test(wranglerToml)) throw new Error('the worker config has no [placement] table');
  const body = 'region' in placement ? `region = "${placement.region}"` : `mode = "${placement.mode}"`;
  return wranglerToml.replace(table, `[placement]\n${body}\n`);
}
