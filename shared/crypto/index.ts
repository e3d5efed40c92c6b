/** Digests, random secrets and the authenticated encryption of OAuth consumer secrets, on WebCrypto (Workers and Node alike). */

const encoder = new TextEncoder();

/** Lower-case hex SHA-256 of a UTF-8 string: how every credential secret is stored and presented. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(text));
  return toHex(new Uint8Array(digest));
}

/**
 * Encrypts with AES-256-GCM under a base64 32-byte key. The result is `v1.<iv>.<ciphertext>` in
 * base64url, so the format can change later without guessing.
 */
export async function encryptSecret(plaintext: string, base64Key: string): Promise<string> {
  const key = await importAesKey(base64Key, 'encrypt');
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, encoder.encode(plaintext));
  return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

/** Reverses {@link encryptSecret}; throws when the key is wrong or the text was altered. */
export async function decryptSecret(sealedText: string, base64Key: string): Promise<string> {
  const [version, iv, sealed] = sealedText.split('.');
  if (version !== 'v1' || !iv || !sealed) throw new Error('unknown encrypted secret format');
  const key = await importAesKey(base64Key, 'decrypt');
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64Url(iv) },
    key,
    fromBase64Url(sealed),
  );
  return new TextDecoder().decode(plain);
}

/** Checks that a base64 string decodes to a 32-byte AES key; returns a reason when it does not. */
export function aesKeyProblem(base64Key: string | undefined): string | null {
  if (!base64Key) return 'is not set';
  try {
    return fromBase64(base64Key).length === 32 ? null : 'must decode to exactly 32 bytes';
  } catch {
    return 'is not valid base64';
  }
}

async function importAesKey(base64Key: string, usage: 'encrypt' | 'decrypt'): ReturnType<typeof crypto.subtle.importKey> {
  const problem = aesKeyProblem(base64Key);
  if (problem) throw new Error(`the secret encryption key ${problem}`);
  return crypto.subtle.importKey('raw', fromBase64(base64Key), 'AES-GCM', false, [usage]);
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  return fromBase64(text.replaceAll('-', '+').replaceAll('_', '/'));
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
