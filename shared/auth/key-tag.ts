/**
 * Credentials a worker can tell apart from made-up ones without asking the database. A tagged
 * secret is `<prefix>v2_<43 random characters><11-character tag>`, the tag being the first 64
 * bits of HMAC-SHA-256 under the platform's CREDENTIAL_TAG_KEY over everything before it. Only
 * the platform can make a tag (a checksum such as CRC32 would only catch typos: anyone can
 * compute one), so a made-up key in this format is refused for free, and an issued one is let
 * through even from an address that made-up keys got blocked. Secrets issued before the format
 * (no `v2_`) keep working through the database as before.
 *
 * What carries the tag: the secret of a header key, a bearer token or a DPD password; the public
 * consumer key of an OAuth consumer (its secret is never sent).
 */

import { fromBase64, toBase64Url } from '../crypto/index.ts';

const encoder = new TextEncoder();
const tagged = /^([a-z]{2,8}_(?:[a-z]{2}_)?)v2_([A-Za-z0-9_-]{43})([A-Za-z0-9_-]{11})$/;

export type TagVerdict = 'tagged' | 'forged' | 'untagged';

type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** The imported key, kept for the isolate (one key is in use at a time). */
let imported: { base64Key: string; key: Promise<HmacKey> } | undefined;

async function tagOf(text: string, base64Key: string): Promise<string> {
  if (imported?.base64Key !== base64Key) {
    imported = { base64Key, key: crypto.subtle.importKey('raw', fromBase64(base64Key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']) };
  }
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await imported.key, encoder.encode(text)));
  return toBase64Url(mac.slice(0, 8)).slice(0, 11);
}

/** A new tagged secret with `prefix` (e.g. `lumen_sk_`). */
export async function taggedSecret(prefix: string, base64Key: string): Promise<string> {
  const body = `${prefix}v2_${toBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
  return `${body}${await tagOf(body, base64Key)}`;
}

/**
 * `tagged`: the platform made this secret's tag; `forged`: it has the format but not a tag the
 * platform made (refuse it without a lookup); `untagged`: an older secret, or no key to check
 * with: the database decides, as before.
 */
export async function checkTag(secret: string, base64Key: string | undefined): Promise<TagVerdict> {
  const match = tagged.exec(secret);
  if (!match || !base64Key) return 'untagged';
  const expected = await tagOf(secret.slice(0, -11), base64Key);
  let difference = 0;
  for (let i = 0; i < 11; i++) difference |= expected.charCodeAt(i) ^ match[3]!.charCodeAt(i);
  return difference === 0 ? 'tagged' : 'forged';
}
