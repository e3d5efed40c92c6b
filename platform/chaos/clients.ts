/**
 * The chaos run's clients: writes to the five APIs through the edge, each retried as its reference
 * allows, until its outcome is definite or the run gives up on it:
 *
 *   lumen          the same body again: partnerPurchaseId makes it one purchase (409 DUPLICATE_PURCHASE: it exists)
 *   operations     the same Idempotency-Key: the first answer again
 *   kit            the same transaction_id: the purchase updated, not repeated
 *   groupcommerce  the same order signed anew (a new nonce): 409 DuplicateOrder names the order placed
 *   dpd            a reactivation, sent again: another delivery email; it has no identity of its own
 *
 * Each write ends `success` (the API said it was done), `refused` (a 4xx saying nothing was done),
 * or `unknown` (a 5xx, a timeout, a dropped connection, or "being reconciled" until the end).
 */
import { randomUUID } from 'node:crypto';
import type { StackInfo } from '../stack/index.ts';
import { oauthHeader } from '../../test/oauth-client.ts';

export type Api = 'lumen' | 'operations' | 'kit' | 'groupcommerce' | 'dpd';
export type Outcome = 'success' | 'refused' | 'unknown';

export interface Write {
  api: Api;
  company: string;
  /** What finds it in the ledger (null for a DPD reactivation). */
  identity: string | null;
  /** Publisher orders: how it pays. */
  payment?: 'card' | 'declined-card' | 'off-platform';
  outcome: Outcome;
  tries: number;
  /** The last answer's status (0: no answer). */
  lastStatus: number;
}

type Demo = StackInfo['demo'][string];

interface Request {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** How a client reads one answer: done, refused for good, or worth another try. */
type Verdict = 'success' | 'refused' | 'retry';

interface Plan {
  write: Omit<Write, 'outcome' | 'tries' | 'lastStatus'>;
  /** Built for every try (the publisher's signature is single use). */
  request(): Request;
  judge(status: number, body: string, tries: number): Verdict;
}

const json = 'application/json';

function generic(status: number): Verdict {
  if (status >= 200 && status < 300) return 'success';
  if (status === 429 || status >= 500) return 'retry';
  return 'refused';
}

export function planWrite(api: Api, slug: string, company: Demo, edge: string, pick: (n: number) => number): Plan {
  const marker = `chaos-${randomUUID()}`;
  switch (api) {
    case 'lumen': {
      const body = JSON.stringify({
        partnerPurchaseId: marker, fulfillment: false,
        customer: { email: `${marker}@example.com`, firstName: 'Chaos', lastName: 'Client' },
        items: [{ productId: company.lumen.productIds[0], quantity: 1 }],
      });
      return {
        write: { api, company: slug, identity: marker },
        request: () => ({ method: 'POST', path: '/partners/v1/purchases', headers: { 'X-Partner-Api-Key': company.lumen.apiKey, 'Content-Type': json }, body }),
        // A retry of a purchase that was made: the reference's duplicate answer says it exists.
        judge: (status, text, tries) => (status === 409 && tries > 1 && text.includes('DUPLICATE_PURCHASE') ? 'success' : generic(status)),
      };
    }
    case 'operations': {
      const body = JSON.stringify({
        action: 'create_purchase', lead_id: company.operations.leadIds[0], product_id: company.operations.productIds[0],
        purchase_amount: 10 + pick(90), description: marker,
      });
      return {
        write: { api, company: slug, identity: marker },
        request: () => ({ method: 'POST', path: '/functions/v1/openapi-operations', headers: { 'X-Api-Key': company.operations.apiKey, 'Idempotency-Key': marker, 'Content-Type': json }, body }),
        judge: (status) => generic(status),
      };
    }
    case 'kit': {
      const body = JSON.stringify({
        purchase: { email_address: `${marker}@example.com`, transaction_id: marker, currency: 'USD', total: 10, status: 'paid',
          products: [{ name: 'Widget', pid: 'chaos-1', lid: 'chaos-l1', quantity: 1, unit_price: 10 }] },
      });
      return {
        write: { api, company: slug, identity: marker },
        request: () => ({ method: 'POST', path: '/v4/purchases', headers: { Authorization: `Bearer ${company.kit.token}`, 'Content-Type': json }, body }),
        judge: (status) => generic(status),
      };
    }
    case 'groupcommerce': {
      const offer = company.groupcommerce.offers.find((o) => !o.requiresShipping)!;
      const roll = pick(10);
      const payment = roll < 7 ? 'card' : roll < 8 ? 'declined-card' : 'off-platform';
      const form = new URLSearchParams({
        'ConsumerInfo.UserKey': marker, 'ConsumerInfo.Email': `${marker}@example.com`, 'ConsumerInfo.FirstName': 'Chaos', 'ConsumerInfo.LastName': 'Client',
        ...(payment === 'off-platform'
          ? { 'BillingInfo.PaymentCapturedOffSite': 'True' }
          : {
              'BillingInfo.NameOnCard': 'Chaos Client', 'BillingInfo.CardNumber': payment === 'card' ? '4242424242424242' : '4000000000000002',
              'BillingInfo.CVV': '123', 'BillingInfo.ExpirationMonth': '12', 'BillingInfo.ExpirationYear': String(new Date().getUTCFullYear() + 3),
              'BillingInfo.BillingAddress': '1 Way', 'BillingInfo.BillingCity': 'Town', 'BillingInfo.BillingState': 'NY', 'BillingInfo.BillingZip': '10010',
            }),
        'OrderDetails[0].OfferId': String(offer.offerId), 'OrderDetails[0].OfferOptionId': String(offer.offerOptionId),
        'OrderDetails[0].Quantity': String(1 + pick(3)), 'OrderDetails[0].SegmentKey': offer.segmentKey,
      }).toString();
      const path = '/api/v3/publisher/order';
      return {
        write: { api, company: slug, identity: marker, payment },
        request: () => ({
          method: 'POST', path,
          headers: { Authorization: oauthHeader(company.groupcommerce, `${edge}${path}`, 'POST', form), 'Content-Type': 'application/x-www-form-urlencoded' },
          body: form,
        }),
        // The publisher's rule for a retry: the order placed meanwhile is named as a duplicate.
        judge: (status, text, tries) => (status === 409 && tries > 1 && text.includes('DuplicateOrder') ? 'success' : generic(status)),
      };
    }
    case 'dpd': {
      const purchase = company.dpd.purchaseIds[pick(company.dpd.purchaseIds.length)];
      const basic = `Basic ${Buffer.from(`${company.dpd.username}:${company.dpd.password}`).toString('base64')}`;
      return {
        write: { api, company: slug, identity: null },
        request: () => ({ method: 'POST', path: `/purchases/${purchase}/reactivate`, headers: { Authorization: basic }, body: '' }),
        judge: (status) => generic(status),
      };
    }
  }
}

/**
 * Sends a write until its outcome is definite or `giveUpAt` (epoch ms) passes, waiting as
 * Retry-After says (at most 5 s), else 0.5 s, between tries.
 */
export async function perform(plan: Plan, edge: string, giveUpAt: number): Promise<Write> {
  let tries = 0;
  let lastStatus = 0;
  for (;;) {
    tries++;
    const request = plan.request();
    let verdict: Verdict = 'retry';
    let waitMs = 500;
    try {
      const res = await fetch(`${edge}${request.path}`, {
        method: request.method,
        headers: request.headers,
        ...(request.method === 'GET' ? {} : { body: request.body }),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      lastStatus = res.status;
      verdict = plan.judge(res.status, text, tries);
      const retryAfter = Number(res.headers.get('Retry-After'));
      if (retryAfter > 0) waitMs = Math.min(5, retryAfter) * 1000;
    } catch {
      lastStatus = 0;
    }
    if (verdict !== 'retry') return { ...plan.write, outcome: verdict, tries, lastStatus };
    if (Date.now() + waitMs > giveUpAt) return { ...plan.write, outcome: 'unknown', tries, lastStatus };
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
