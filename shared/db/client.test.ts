import { verify } from 'hono/jwt';
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

  it('names an imported signing key by its id, signed with the same secret', async () => {
    const token = await workerToken(secret, { kind: 'kit_token', secret: 'kit_at_x' }, Date.now(), 'key-2026');
    expect(header(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'key-2026' });
    expect(await verify(token, secret, 'HS256')).toMatchObject({ role: 'purchases_api', cred_kind: 'kit_token' });
    await expect(verify(token, `${secret}-other`, 'HS256')).rejects.toThrow();
  });
});
