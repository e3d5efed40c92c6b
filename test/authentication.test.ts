/**
 * Every API checks its credential against the database through the full stack: the demo
 * credentials of both companies work, a wrong or revoked one gets the API's own 401, and the
 * publisher API verifies real OAuth 1.0a signatures.
 */
import { describe, expect, it } from 'vitest';
import { admin, demo, sampleOrderForm, signedOrder, stack } from './helpers.ts';
import { oauthHeader, oauthParameters } from './oauth-client.ts';

type Slug = 'acme' | 'globex';

/** Calls an API's spec endpoint with a credential header set (or none). */
const call = {
  lumen: (headers: Record<string, string>) =>
    fetch(`${stack().apis.lumen}/partners/v1/purchases`, { method: 'POST', headers }),
  operations: (headers: Record<string, string>) =>
    fetch(`${stack().apis.operations}/functions/v1/openapi-operations`, { method: 'POST', headers }),
  dpd: (headers: Record<string, string>) => fetch(`${stack().apis.dpd}/v2`, { headers }),
  kit: (headers: Record<string, string>) => fetch(`${stack().apis.kit}/v4/purchases`, { method: 'POST', headers }),
};

const basic = (user: string, password: string) => ({ Authorization: `Basic ${btoa(`${user}:${password}`)}` });

const headerCredentials = {
  lumen: (slug: Slug) => ({ 'X-Partner-Api-Key': demo(slug).lumen.apiKey }),
  operations: (slug: Slug) => ({ 'X-Api-Key': demo(slug).operations.apiKey }),
  dpd: (slug: Slug) => basic(demo(slug).dpd.username, demo(slug).dpd.password),
  kit: (slug: Slug) => ({ Authorization: `Bearer ${demo(slug).kit.token}` }),
};

const wrongCredentials = {
  lumen: { 'X-Partner-Api-Key': 'lumen_demo_wrong' },
  operations: { 'X-Api-Key': 'ops_demo_wrong' },
  dpd: basic('acme', 'dpd_demo_wrong'),
  kit: { Authorization: 'Bearer kit_demo_wrong' },
};

const invalidBodies = {
  lumen: { success: false, error: { code: 'UNAUTHORIZED', message: 'The partner API key is not valid.', details: [] } },
  operations: { error: 'Invalid API key' },
  dpd: { status: 'UNAUTHORIZED', message: 'The username or API password is not valid.' },
  kit: { errors: ['The access token is invalid'] },
};

describe.each(['lumen', 'operations', 'dpd', 'kit'] as const)('%s', (api) => {
  it.each(['acme', 'globex'] as const)('accepts the demo credential of %s', async (slug) => {
    const res = await call[api](headerCredentials[api](slug));
    // Past authentication: DPD's ping answers; the others find the empty body wanting.
    expect(res.status).toBe({ lumen: 400, operations: 400, dpd: 200, kit: 422 }[api]);
    if (api === 'dpd') expect(await res.json()).toEqual({ status: 'SUCCESS' });
  });

  it('refuses a wrong credential with its own 401', async () => {
    const res = await call[api](wrongCredentials[api]);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(invalidBodies[api]);
  });
});

describe('DPD', () => {
  it('does not take one company\'s password for another username', async () => {
    const res = await call.dpd(basic('globex', demo('acme').dpd.password));
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Basic /);
  });
});

describe('Kit', () => {
  it('refuses an API key on purchase endpoints and says purchases need OAuth', async () => {
    const res = await call.kit({ 'X-Kit-Api-Key': 'kit_api_key_anything' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: string[] }).errors[0]).toMatch(/OAuth access token/);
  });
});

describe('Group Commerce OAuth 1.0a', () => {
  const form = { ...sampleOrderForm(), 'ConsumerInfo.FirstName': 'Zoë Ann' };

  it.each(['acme', 'globex'] as const)('accepts a request signed with the demo consumer of %s', async (slug) => {
    const res = await signedOrder(demo(slug).groupcommerce, { ...sampleOrderForm(slug), 'ConsumerInfo.FirstName': 'Zoë Ann' });
    expect(res.status).toBe(200);
  });

  it('refuses a wrong secret, an unknown consumer, and a body changed after signing', async () => {
    const acme = demo('acme').groupcommerce;
    const cases = [
      [await signedOrder({ ...acme, consumerSecret: 'wrong' }, form), 'SignatureInvalid'],
      [await signedOrder({ consumerKey: '00000000-0000-4000-8000-000000000000', consumerSecret: 'x' }, form), 'ConsumerKeyUnknown'],
      [await signedOrder(acme, form, (init) => (init.body = init.body.replace('9035', '9034'))), 'SignatureInvalid'],
    ] as const;
    for (const [res, code] of cases) {
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ success: false, version: '3', errors: [{ code }] });
    }
  });

  it('answers errors in XML when the client asks for XML', async () => {
    const res = await signedOrder({ consumerKey: '00000000-0000-4000-8000-000000000000', consumerSecret: 'x' }, form, (init) => {
      init.headers.Accept = 'application/xml';
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/xml/);
    const xml = await res.text();
    expect(xml).toMatch(/^<purchaseResponse xmlns:i="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance"><errors><error><code>ConsumerKeyUnknown<\/code>/);
    expect(xml).toContain('<success>false</success><version>3</version></purchaseResponse>');
  });

  it('answers a bad protocol parameter with 400, as RFC 5849 section 3.2 says', async () => {
    const acme = demo('acme').groupcommerce;
    const plaintext = await signedOrder(acme, form, (init) => {
      init.headers.Authorization = init.headers.Authorization!.replace('HMAC-SHA1', 'PLAINTEXT');
    });
    expect(plaintext.status).toBe(400);
    expect(await plaintext.json()).toMatchObject({ errors: [{ code: 'SignatureMethodRejected' }] });
    const noNonce = await signedOrder(acme, form, (init) => {
      init.headers.Authorization = init.headers.Authorization!.replace(/oauth_nonce="[^"]*", /, '');
    });
    expect(noNonce.status).toBe(400);
    expect(((await noNonce.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toMatch(/oauth_nonce/);
  });
});

describe('Group Commerce OAuth parameters in the body or the query (RFC 5849 section 3.5)', () => {
  const url = () => `${stack().apis.groupcommerce}/api/v3/publisher/order`;
  const formBody = () => new URLSearchParams(sampleOrderForm()).toString();
  const post = (target: string, body: string, headers: Record<string, string> = {}) =>
    fetch(target, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body });

  it('places an order signed with the parameters in the form body', async () => {
    const body = formBody();
    const oauth = oauthParameters(demo('acme').groupcommerce, url(), 'POST', body);
    const res = await post(url(), `${body}&${new URLSearchParams(oauth)}`);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, orderId: expect.any(Number) });
  });

  it('places an order signed with the parameters in the query string', async () => {
    const body = formBody();
    const oauth = oauthParameters(demo('acme').groupcommerce, url(), 'POST', body);
    const res = await post(`${url()}?${new URLSearchParams(oauth)}`, body);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, orderId: expect.any(Number) });
  });

  it('answers parameters sent in two places with 400, and checks the signature wherever they come', async () => {
    const body = formBody();
    const oauth = oauthParameters(demo('acme').groupcommerce, url(), 'POST', body);
    const twice = await post(`${url()}?${new URLSearchParams(oauth)}`, body, { Authorization: oauthHeader(demo('acme').groupcommerce, url(), 'POST', body) });
    expect(twice.status).toBe(400);
    expect(await twice.json()).toMatchObject({ errors: [{ code: 'ParameterRejected', message: expect.stringMatching(/one place only, not in the Authorization header and the query string/) }] });
    const changed = await post(url(), `${body.replace('9035', '9034')}&${new URLSearchParams(oauth)}`);
    expect(changed.status).toBe(401);
    expect(await changed.json()).toMatchObject({ errors: [{ code: 'SignatureInvalid' }] });
  });
});

describe('Group Commerce replay protection', () => {
  const form = { ...sampleOrderForm(), AllowDuplicatePurchase: 'True' };

  it('accepts a nonce once: the same signed request sent again is a 401', async () => {
    const acme = demo('acme').groupcommerce;
    let authorization = '';
    const first = await signedOrder(acme, form, (init) => (authorization = init.headers.Authorization!));
    expect(first.status).toBe(200);
    const replay = await signedOrder(acme, form, (init) => (init.headers.Authorization = authorization));
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ errors: [{ code: 'NonceUsed', message: expect.stringMatching(/oauth_nonce .* was already used/) }] });
  });

  it('lets exactly one of 50 concurrent copies of a request through', async () => {
    const acme = demo('acme').groupcommerce;
    let authorization = '';
    await signedOrder(acme, form, (init) => {
      authorization = init.headers.Authorization!;
      init.headers.Authorization = 'OAuth realm="x"'; // send nothing valid now; the copies below carry the signature
    });
    const copies = await Promise.all(
      Array.from({ length: 50 }, () => signedOrder(acme, form, (init) => (init.headers.Authorization = authorization))),
    );
    expect(copies.filter((res) => res.status === 200)).toHaveLength(1);
    expect(copies.filter((res) => res.status === 401)).toHaveLength(49);
  });

  it('refuses a timestamp outside the window with 401', async () => {
    const stale = await signedOrder(demo('acme').groupcommerce, form, undefined, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ errors: [{ code: 'TimestampRefused', message: expect.stringMatching(/300 seconds/) }] });
  });
});

describe('revocation', () => {
  it('stops a credential at once, through the admin CLI', async () => {
    const issued = await admin('credential', 'issue', 'kit', '--company', 'acme', '--json');
    expect(issued.code).toBe(0);
    const { id, token } = JSON.parse(issued.stdout) as { id: string; token: string };
    expect((await call.kit({ Authorization: `Bearer ${token}` })).status).toBe(422);
    expect((await admin('credential', 'revoke', id)).code).toBe(0);
    expect((await call.kit({ Authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('stops an OAuth consumer at once, though its signature is still right', async () => {
    const issued = await admin('credential', 'issue', 'groupcommerce', '--company', 'globex', '--json');
    const { id, consumerKey, consumerSecret } = JSON.parse(issued.stdout) as Record<string, string>;
    const form = sampleOrderForm('globex');
    expect((await signedOrder({ consumerKey: consumerKey!, consumerSecret: consumerSecret! }, form)).status).toBe(200);
    await admin('credential', 'revoke', id!);
    const res = await signedOrder({ consumerKey: consumerKey!, consumerSecret: consumerSecret! }, form);
    expect(res.status).toBe(401);
  });
});
