/**
 * The workers' database tokens are ES256, signed with the key whose public half PostgREST's key set
 * holds (as a hosted project's JWT signing keys are published), and a key is rotated as Supabase
 * rotates one, with no request refused on the way: the next key trusted (rotate), the workers
 * deployed with it, the previous key revoked. The test changes the shared PostgREST's key set in the
 * database (PostgREST's in-database configuration, reloaded by NOTIFY), always keeping the platform's
 * own key in it, and restores it at the end.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { sign } from 'hono/jwt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SigningJwk } from '../shared/env/index.ts';
import { publicLocalSigningKey } from '../shared/env/local-defaults.ts';
import { publishedKeySet } from '../platform/stack/postgrest.ts';
import { workerToken } from '../shared/db/client.ts';
import { demo, stack, superuser } from './helpers.ts';
import { startOwnWorkers, type OwnWorkers } from './own-workers.ts';

function newKey(kid: string): SigningJwk {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as { x: string; y: string; d: string };
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d, kid, alg: 'ES256' };
}

const platformKeys = () => ({ jwtSigningKey: publicLocalSigningKey as SigningJwk, jwtSecret: inject('jwtSecret') });

/** Whether PostgREST takes a token never seen before (so not in its JWT cache) signed with `key`. */
async function trusted(key: SigningJwk): Promise<boolean> {
  const iat = Math.floor(Date.now() / 1000);
  const token = await sign({ role: 'anon', iat, exp: iat + 60, jti: randomUUID() }, key, 'ES256');
  const res = await fetch(`${stack().supabase.url}/rest/v1/`, { headers: { apikey: stack().supabase.anonKey, Authorization: `Bearer ${token}` } });
  await res.body?.cancel();
  return res.status === 200;
}

let db: pg.Client;

/** Publishes the platform's key set plus `others`, and waits until PostgREST has reloaded it. */
async function publish(others: SigningJwk[], expect: { trusted: SigningJwk[]; refused: SigningJwk[] }): Promise<void> {
  await db.query(`alter role authenticator set pgrst.jwt_secret = '${publishedKeySet(platformKeys(), others).replaceAll("'", "''")}'`);
  await db.query(`notify pgrst, 'reload config'`);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const states = await Promise.all([...expect.trusted.map(trusted), ...expect.refused.map(async (key) => !(await trusted(key)))]);
    if (states.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error('PostgREST did not take the new key set');
    await new Promise((done) => setTimeout(done, 100));
  }
}

beforeAll(async () => {
  db = await superuser();
});
afterAll(async () => {
  await db.query('alter role authenticator reset pgrst.jwt_secret');
  await db.query(`notify pgrst, 'reload config'`);
  await db.end();
});

describe('JWT signing keys', () => {
  it('signs the workers\' tokens with the signing key: a worker whose key is not published is refused, one whose key is, served', async () => {
    const unpublished = newKey('not-published');
    const workers = await startOwnWorkers('signing-unpublished', { SUPABASE_JWT_SIGNING_KEY: JSON.stringify(unpublished) });
    try {
      const kit = () => fetch(`${workers.urls.kit}/v4/purchases?per_page=1`, { headers: { Authorization: `Bearer ${demo('acme').kit.token}` } });
      const refused = await kit();
      expect(refused.status).toBe(503);
      await refused.body?.cancel();
      await publish([unpublished], { trusted: [unpublished], refused: [] });
      const served = await kit();
      expect(served.status).toBe(200);
      await served.body?.cancel();
    } finally {
      await workers.stop();
    }
  }, 60_000);

  it('names in every token a kid the published key set holds (PostgREST 13+ looks the key up by it)', async () => {
    const key = newKey('purchases-kid-check');
    const published = JSON.parse(publishedKeySet(platformKeys(), [key])) as { keys: Array<{ kid?: string; d?: string }> };
    expect(published.keys.every((k) => k.d === undefined)).toBe(true);
    for (const signing of [platformKeys().jwtSigningKey, key]) {
      const token = await workerToken(signing, { kind: 'kit_token', secret: demo('acme').kit.token });
      const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { alg: string; kid: string };
      expect(header.alg).toBe('ES256');
      expect(published.keys.map((k) => k.kid)).toContain(header.kid);
    }
  });

  it('rotates with no request refused: rotate to the next key, deploy the workers with it, revoke the previous one', async () => {
    const previous = newKey(`purchases-${randomUUID().slice(0, 8)}`);
    const next = newKey(`purchases-${randomUUID().slice(0, 8)}`);
    await publish([previous], { trusted: [previous], refused: [next] });
    let serving: OwnWorkers = await startOwnWorkers('signing-previous', { SUPABASE_JWT_SIGNING_KEY: JSON.stringify(previous) });
    const statuses: number[] = [];
    let running = true;
    // A client polling all through the rotation.
    const traffic = (async () => {
      while (running) {
        const res = await fetch(`${serving.urls.kit}/v4/purchases?per_page=1`, { headers: { Authorization: `Bearer ${demo('acme').kit.token}` } }).catch(() => null);
        if (res) {
          statuses.push(res.status);
          await res.body?.cancel();
        }
      }
    })();
    try {
      // Rotate: the next key becomes current; the previous one stays trusted until revoked.
      await publish([previous, next], { trusted: [previous, next], refused: [] });
      // Deploy: the workers sign with the next key (the old ones keep serving until the new answer).
      const deployed = await startOwnWorkers('signing-next', { SUPABASE_JWT_SIGNING_KEY: JSON.stringify(next) });
      const retired = serving;
      serving = deployed;
      await new Promise((done) => setTimeout(done, 300));
      await retired.stop();
      // Revoke the previous key: a token signed with it, never seen before, is refused.
      await publish([next], { trusted: [next], refused: [previous] });
      await new Promise((done) => setTimeout(done, 500));
    } finally {
      running = false;
      await traffic;
      await serving.stop();
    }
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  }, 120_000);
});
