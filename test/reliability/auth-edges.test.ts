/**
 * Authentication at its edges: a credential of one API never opens another (every pair of the
 * five), and revoking any kind of credential stops it at once. Replays, stale timestamps,
 * tampered bodies and wrong consumers of the OAuth API are in test/authentication.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ApiName } from '../../platform/stack/config.ts';
import { admin, demo, stack } from '../helpers.ts';
import { oauthHeader } from '../oauth-client.ts';
import { endpoints, isErrorShape } from './requests.ts';

const acme = () => demo('acme');
const writeOf = (api: ApiName) => endpoints.find((e) => e.api === api && e.write)!;

/** Each API's secret of acme, as that API's client would hold it. */
const secrets = (): Record<ApiName, string> => ({
  lumen: acme().lumen.apiKey,
  operations: acme().operations.apiKey,
  dpd: acme().dpd.password,
  kit: acme().kit.token,
  groupcommerce: acme().groupcommerce.consumerSecret,
});

/** The credential headers of `api` carrying `secret` where that API expects its own. */
function presenting(api: ApiName, secret: string, body: string | null): Record<string, string> {
  switch (api) {
    case 'lumen':
      return { 'X-Partner-Api-Key': secret };
    case 'operations':
      return { 'X-Api-Key': secret };
    case 'dpd':
      return { Authorization: `Basic ${Buffer.from(`${acme().dpd.username}:${secret}`).toString('base64')}` };
    case 'kit':
      return { Authorization: `Bearer ${secret}` };
    case 'groupcommerce':
      // The publisher's consumer key with another API's secret as the consumer secret.
      return { Authorization: oauthHeader({ consumerKey: acme().groupcommerce.consumerKey, consumerSecret: secret }, `${stack().apis.groupcommerce}/api/v3/publisher/order`, 'POST', body) };
  }
}

const apis: ApiName[] = ['lumen', 'operations', 'dpd', 'kit', 'groupcommerce'];
const pairs = apis.flatMap((target) => apis.filter((other) => other !== target).map((other) => [target, other] as const));

describe('a credential of one API on another', () => {
  it.each(pairs)('%s refuses the %s secret with its own 401', async (target, other) => {
    const endpoint = writeOf(target);
    const body = endpoint.validBody(acme());
    const res = await endpoint.send(stack(), acme(), { body: body ?? undefined, headers: presenting(target, secrets()[other], body) });
    const text = await res.text();
    expect(res.status, text).toBe(401);
    expect(isErrorShape(target, text), text).toBe(true);
  });

  it('the publisher API knows no consumer key of another kind', async () => {
    const endpoint = writeOf('groupcommerce');
    const body = endpoint.validBody(acme())!;
    const url = `${stack().apis.groupcommerce}/api/v3/publisher/order`;
    for (const [consumerKey, consumerSecret] of [[acme().dpd.username, acme().dpd.password], [acme().kit.token, acme().kit.token]] as const) {
      const res = await endpoint.send(stack(), acme(), { body, headers: { Authorization: oauthHeader({ consumerKey, consumerSecret }, url, 'POST', body) } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ errors: [{ code: 'ConsumerKeyUnknown' }] });
    }
  });
});

describe('revocation', () => {
  it.each(apis)('stops a %s credential at once', async (api) => {
    const slug = `revoke-${api}-${Date.now()}`;
    expect((await admin('company', 'create', '--slug', slug, '--name', `Revoke ${api}`)).code).toBe(0);
    const issued = await admin('credential', 'issue', api, '--company', slug, ...(api === 'dpd' ? ['--username', slug] : []), '--json');
    expect(issued.code, issued.stderr).toBe(0);
    const credential = JSON.parse(issued.stdout) as Record<string, string>;
    // The new company has no data, so a read is what shows the credential works.
    const probe = async () => {
      switch (api) {
        case 'lumen':
          return fetch(`${stack().apis.lumen}/partners/v1/purchases`, { method: 'POST', headers: { 'X-Partner-Api-Key': credential.apiKey!, 'Content-Type': 'application/json' }, body: '{}' });
        case 'operations':
          return fetch(`${stack().apis.operations}/functions/v1/openapi-operations`, { method: 'POST', headers: { 'X-Api-Key': credential.apiKey! }, body: '{"action":"list_purchases"}' });
        case 'dpd':
          return fetch(`${stack().apis.dpd}/`, { headers: { Authorization: `Basic ${Buffer.from(`${slug}:${credential.password}`).toString('base64')}` } });
        case 'kit':
          return fetch(`${stack().apis.kit}/v4/purchases`, { headers: { Authorization: `Bearer ${credential.token}` } });
        case 'groupcommerce': {
          const url = `${stack().apis.groupcommerce}/api/v3/publisher/consumer/creditcards?UserKey=nobody`;
          return fetch(url, { headers: { Authorization: oauthHeader({ consumerKey: credential.consumerKey!, consumerSecret: credential.consumerSecret! }, url, 'GET', null) } });
        }
      }
    };
    const before = await probe();
    expect(before.status, await before.clone().text()).not.toBe(401);
    expect((await admin('credential', 'revoke', credential.id!)).code).toBe(0);
    const after = await probe();
    const text = await after.text();
    expect(after.status, text).toBe(401);
    expect(isErrorShape(api, text), text).toBe(true);
  });
});
