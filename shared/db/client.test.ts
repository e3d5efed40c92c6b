import { generateKeyPairSync } from 'node:crypto';
import { verify } from 'hono/jwt';
import type { SigningJwk } from '../env/index.ts';
import { describe, expect, it } from 'vitest';
import { workerToken } from './client.ts';

const secret = 'a-shared-secret-of-at-least-32-characters';
const header = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());

describe('workerToken', () => {
  it('signs with the legacy secret without a key id', async () => {
    const token = await workerToken(secret, null);
    expect(header(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(await verify(token, secret, 'HS256')).toMatchObject({ role: 'purchases_api' });
  });

  it('signs ES256 with the signing key, naming it by its kid, verifiable with its public half only', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...(privateKey.export({ format: 'jwk' }) as { x: string; y: string; d: string }), kty: 'EC', crv: 'P-256', kid: 'purchases-2026-12', alg: 'ES256' } as SigningJwk;
    const token = await workerToken(jwk, { kind: 'kit_token', secret: 'kit_at_x' });
    expect(header(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'purchases-2026-12' });
    const published = { ...(publicKey.export({ format: 'jwk' }) as object), alg: 'ES256', kid: 'purchases-2026-12' };
    expect(await verify(token, published, 'ES256')).toMatchObject({ role: 'purchases_api', cred_kind: 'kit_token' });
    const other = { ...(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as object), alg: 'ES256' };
    await expect(verify(token, other, 'ES256')).rejects.toThrow();
  });
});
