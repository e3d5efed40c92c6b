/**
 * One valid request per endpoint of the five APIs, for any running platform and company, and each
 * API's error shape: what the reliability tests send, break and check.
 */
import { randomUUID } from 'node:crypto';
import type { ApiName } from '../../platform/stack/config.ts';
import type { StackInfo } from '../../platform/stack/index.ts';
import { oauthHeader } from '../oauth-client.ts';

type Demo = StackInfo['demo'][string];

export interface Endpoint {
  api: ApiName;
  name: string;
  write: boolean;
  /** A request that succeeds, with fresh unique values each call; `body` replaces the valid body. */
  send(stack: StackInfo, company: Demo, options?: { body?: string; contentType?: string; headers?: Record<string, string> }): Promise<Response>;
  /** A valid body as the API takes it (JSON text, a form, or null for reads). */
  validBody(company: Demo): string | null;
  contentType: string | null;
}

const json = 'application/json';
const form = 'application/x-www-form-urlencoded';

function post(url: string, headers: Record<string, string>, body: string | null, contentType: string | null, extra: Record<string, string> = {}) {
  return fetch(url, {
    method: body === null ? 'GET' : 'POST',
    headers: { ...(contentType ? { 'Content-Type': contentType } : {}), ...headers, ...extra },
    ...(body === null ? {} : { body }),
  });
}

function orderForm(): string {
  const consumer = `reliability-${randomUUID()}@example.com`;
  return new URLSearchParams({
    'ConsumerInfo.UserKey': consumer,
    'ConsumerInfo.Email': consumer,
    'ConsumerInfo.FirstName': 'Rel',
    'ConsumerInfo.LastName': 'Iable',
    'BillingInfo.PaymentCapturedOffSite': 'True',
    'OrderDetails[0].OfferId': '9035',
    'OrderDetails[0].OfferOptionId': '9123',
    'OrderDetails[0].Quantity': '1',
    'OrderDetails[0].SegmentKey': 'new-york',
  }).toString();
}

const basic = (company: Demo) => `Basic ${Buffer.from(`${company.dpd.username}:${company.dpd.password}`).toString('base64')}`;

export const endpoints: Endpoint[] = [
  {
    api: 'lumen', name: 'POST /partners/v1/purchases', write: true, contentType: json,
    validBody: (company) => JSON.stringify({
      partnerPurchaseId: `REL-${randomUUID()}`, fulfillment: false,
      customer: { email: `lumen-${randomUUID()}@example.com`, firstName: 'Rel', lastName: 'Iable' },
      items: [{ productId: company.lumen.productIds[0], quantity: 1 }],
    }),
    send(stack, company, o = {}) {
      return post(`${stack.apis.lumen}/partners/v1/purchases`, { 'X-Partner-Api-Key': company.lumen.apiKey }, o.body ?? this.validBody(company), o.contentType ?? json, o.headers);
    },
  },
  {
    api: 'operations', name: 'create_purchase', write: true, contentType: json,
    validBody: (company) => JSON.stringify({ action: 'create_purchase', lead_id: company.operations.leadIds[0], product_id: company.operations.productIds[0], purchase_amount: 10 }),
    send(stack, company, o = {}) {
      return post(`${stack.apis.operations}/functions/v1/openapi-operations`, { 'X-Api-Key': company.operations.apiKey }, o.body ?? this.validBody(company), o.contentType ?? json, o.headers);
    },
  },
  {
    api: 'operations', name: 'list_purchases', write: false, contentType: json,
    validBody: (company) => JSON.stringify({ action: 'list_purchases', lead_id: company.operations.leadIds[0], limit: 5 }),
    send(stack, company, o = {}) {
      return post(`${stack.apis.operations}/functions/v1/openapi-operations`, { 'X-Api-Key': company.operations.apiKey }, o.body ?? this.validBody(company), o.contentType ?? json, o.headers);
    },
  },
  {
    api: 'kit', name: 'POST /v4/purchases', write: true, contentType: json,
    validBody: () => JSON.stringify({
      purchase: { email_address: `kit-${randomUUID()}@example.com`, transaction_id: `REL-${randomUUID()}`, currency: 'USD', total: 10,
        products: [{ name: 'Widget', pid: 'rel-1', lid: 'rel-l1', quantity: 1, unit_price: 10 }] },
    }),
    send(stack, company, o = {}) {
      return post(`${stack.apis.kit}/v4/purchases`, { Authorization: `Bearer ${company.kit.token}` }, o.body ?? this.validBody(company), o.contentType ?? json, o.headers);
    },
  },
  {
    api: 'kit', name: 'GET /v4/purchases', write: false, contentType: null,
    validBody: () => null,
    send(stack, company, o = {}) {
      return post(`${stack.apis.kit}/v4/purchases?per_page=5`, { Authorization: `Bearer ${company.kit.token}` }, null, null, o.headers);
    },
  },
  {
    api: 'dpd', name: 'GET /purchases', write: false, contentType: null,
    validBody: () => null,
    send(stack, company, o = {}) {
      return post(`${stack.apis.dpd}/purchases?status=ACT`, { Authorization: basic(company) }, null, null, o.headers);
    },
  },
  {
    api: 'dpd', name: 'POST /purchases/:id/reactivate', write: true, contentType: null,
    validBody: () => '',
    send(stack, company, o = {}) {
      return post(`${stack.apis.dpd}/purchases/${company.dpd.purchaseIds[0]}/reactivate`, { Authorization: basic(company) }, o.body ?? '', o.contentType ?? null, o.headers);
    },
  },
  {
    api: 'groupcommerce', name: 'POST /api/v3/publisher/order', write: true, contentType: form,
    validBody: () => orderForm(),
    send(stack, company, o = {}) {
      const url = `${stack.apis.groupcommerce}/api/v3/publisher/order`;
      const body = o.body ?? this.validBody(company)!;
      const contentType = o.contentType ?? form;
      const signed = /^application\/x-www-form-urlencoded/i.test(contentType) ? body : null;
      return post(url, { Authorization: oauthHeader(company.groupcommerce, url, 'POST', signed) }, body, contentType, o.headers);
    },
  },
];

/** Whether a body is the API's documented error shape (and carries no stack trace). */
export function isErrorShape(api: ApiName, text: string): boolean {
  if (/\bat .+:\d+:\d+\)?$|node_modules|\.ts:\d+/m.test(text)) return false;
  if (api === 'groupcommerce' && text.startsWith('<')) return /<success>false<\/success>/.test(text) && /<errors><error><code>/.test(text);
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  switch (api) {
    case 'lumen':
      return body.success === false && typeof body.error?.code === 'string' && typeof body.error?.message === 'string';
    case 'operations':
      return typeof body.error === 'string' && body.error.length > 0;
    case 'dpd':
      return typeof body.status === 'string' && /^[A-Z]+$/.test(body.status) && body.status !== 'SUCCESS' && body.status !== 'OK';
    case 'kit':
      return Array.isArray(body.errors) && body.errors.length > 0 && body.errors.every((e: unknown) => typeof e === 'string');
    case 'groupcommerce':
      return body.success === false && Array.isArray(body.errors) && body.errors.length > 0 && body.version === '3';
  }
}
