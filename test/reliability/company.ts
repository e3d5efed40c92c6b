/**
 * A company of a test file's own, set up entirely with the admin CLI: credentials for the five
 * APIs, a channel with a lead and a product, a Lumen partnership, a publisher offer, and one Kit
 * purchase (also DPD's to reactivate). Its rows can be counted without other files' writes moving
 * the count.
 */
import { expect } from 'vitest';
import { admin, stack } from '../helpers.ts';

export interface TestCompany {
  slug: string; id: string; lumenKey: string; opsKey: string; dpdUser: string; dpdPassword: string; kitToken: string;
  consumerKey: string; consumerSecret: string; leadId: string; productId: string; offerId: number; optionId: number; purchaseNumber: number;
  /** The Lumen product code granted to the partnership, and the offer's segment. */
  lumenProduct: string; segment: string;
}

export async function cli(...args: string[]): Promise<Record<string, any>> {
  const result = await admin(...args, '--json');
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout);
}

/**
 * `unlimited`: its credentials are not rate-limited (set before any of them is used, since a
 * worker keeps a verified credential's limit for a minute).
 */
export async function createTestCompany(label: string, name: string, options: { unlimited?: boolean } = {}): Promise<TestCompany> {
  const slug = `${label}-${Date.now()}`;
  const company = { slug, lumenProduct: `LMN_${label.toUpperCase().replace(/-/g, '_')}`, segment: label } as TestCompany;
  company.id = (await cli('company', 'create', '--slug', slug, '--name', name)).id;
  company.lumenKey = (await cli('credential', 'issue', 'lumen', '--company', slug)).apiKey;
  company.opsKey = (await cli('credential', 'issue', 'operations', '--company', slug)).apiKey;
  const dpd = await cli('credential', 'issue', 'dpd', '--company', slug);
  [company.dpdUser, company.dpdPassword] = [dpd.username, dpd.password];
  company.kitToken = (await cli('credential', 'issue', 'kit', '--company', slug)).token;
  const gc = await cli('credential', 'issue', 'groupcommerce', '--company', slug);
  [company.consumerKey, company.consumerSecret] = [gc.consumerKey, gc.consumerSecret];
  const channel = await cli('channel', 'create', '--name', `${name} ${slug}`, '--currency', 'USD');
  await cli('channel', 'grant', '--channel', channel.id, '--company', slug);
  company.leadId = (await cli('lead', 'create', '--channel', channel.id, '--name', 'Hal', '--email', `hal-${slug}@example.com`)).id;
  company.productId = (await cli('product', 'create', '--company', slug, '--name', 'Widget', '--code', company.lumenProduct)).id;
  await cli('partnership', 'set', '--company', slug, '--partner-fulfilled', 'yes', '--lumen-fulfilled', 'yes', '--rate-limit', '100000', '--rate-window', '60');
  await cli('partnership', 'grant-product', '--company', slug, '--product', company.lumenProduct);
  company.offerId = (await cli('offer', 'create', '--company', slug, '--name', `${name} offer`)).offerId;
  company.optionId = (await cli('offer', 'add-option', '--company', slug, '--offer', String(company.offerId), '--name', 'Only', '--price', '10')).offerOptionId;
  await cli('offer', 'add-segment', '--company', slug, '--offer', String(company.offerId), '--segment', company.segment);
  if (options.unlimited) {
    for (const api of ['operations', 'kit', 'dpd', 'groupcommerce']) {
      await cli('limit', 'set', '--company', slug, '--api', api, '--requests', '100000', '--window', '1');
    }
  }
  const kit = await fetch(`${stack().apis.kit}/v4/purchases`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${company.kitToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ purchase: { email_address: `buyer-${slug}@example.com`, transaction_id: 'seed-1', total: 1, currency: 'USD', products: [{ name: 'W', pid: 'p', lid: 'l', quantity: 1, unit_price: 1 }] } }),
  });
  expect(kit.status).toBe(201);
  company.purchaseNumber = ((await kit.json()) as { purchase: { id: number } }).purchase.id;
  return company;
}
