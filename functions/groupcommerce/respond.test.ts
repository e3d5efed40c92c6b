/** The base response in JSON and in the sample's XML form. */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { respond } from './respond.ts';

const at = new Date('2012-09-18T18:08:43.801Z');
const app = new Hono();
app.get('/ok', (c) =>
  respond(c, 200, 'purchaseResponse', [], {
    chargeAmount: 133.92, creditValueUsed: 12.13, currencySymbol: '$', duplicateOrderId: null, isoCurrencyCode: 'USD', orderId: 117343, pendingCreditValueAwarded: 0,
  }, at),
);
app.get('/bad', (c) => respond(c, 400, 'purchaseResponse', [{ code: 'InvalidRequest', message: 'a < b & "c"' }], {}, at));

describe('respond', () => {
  it('answers JSON by default, with lastPublished as /Date(ms)/', async () => {
    const res = await app.request('/ok');
    expect(await res.json()).toEqual({
      errors: [], lastPublished: '/Date(1347991723801)/', success: true, version: '3',
      chargeAmount: 133.92, creditValueUsed: 12.13, currencySymbol: '$', duplicateOrderId: null, isoCurrencyCode: 'USD', orderId: 117343, pendingCreditValueAwarded: 0,
    });
  });

  it('answers the sample\'s XML when asked', async () => {
    const res = await app.request('/ok', { headers: { Accept: 'application/xml' } });
    expect(res.headers.get('Content-Type')).toMatch(/^application\/xml/);
    expect(await res.text()).toBe(
      '<purchaseResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><errors/><lastPublished>2012-09-18T18:08:43.801000Z</lastPublished>' +
        '<success>true</success><version>3</version><chargeAmount>133.92</chargeAmount><creditValueUsed>12.13</creditValueUsed>' +
        '<currencySymbol>$</currencySymbol><duplicateOrderId i:nil="true"/><isoCurrencyCode>USD</isoCurrencyCode><orderId>117343</orderId>' +
        '<pendingCreditValueAwarded>0</pendingCreditValueAwarded></purchaseResponse>',
    );
  });

  it('writes errors in the format asked for, escaped', async () => {
    const xml = await (await app.request('/bad', { headers: { Accept: 'text/xml' } })).text();
    expect(xml).toContain('<errors><error><code>InvalidRequest</code><message>a &lt; b &amp; &quot;c&quot;</message></error></errors>');
    expect(xml).toContain('<success>false</success>');
    const json = await (await app.request('/bad')).json();
    expect(json).toMatchObject({ success: false, errors: [{ code: 'InvalidRequest', message: 'a < b & "c"' }] });
  });
});
