/**
 * Every body is bounded before anything reads it: a body over 64 KiB is answered 413 in the API's
 * own shape, under a valid credential and under a made-up one alike, and the answer comes while
 * the client still holds most of the body back, so the worker never read it whole. Sent twice
 * per API: with a Content-Length that declares 8 MiB, and chunked with no declared length.
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { demo, stack } from './helpers.ts';
import { oauthHeader } from './oauth-client.ts';

const declaredBytes = 8 * 1024 * 1024;

interface Case {
  api: 'lumen' | 'operations' | 'dpd' | 'kit' | 'groupcommerce';
  method: string;
  path: string;
  contentType: string;
  /** The headers of a valid credential (for the publisher API: a signature over the whole body). */
  valid: (url: string, body: string) => Record<string, string>;
  madeUp: Record<string, string>;
  /** The body's text: `size` bytes in the API's own format. */
  body: (size: number) => string;
  tooLarge: (body: unknown) => void;
}

const jsonFiller = (size: number) => `{"filler":"${'x'.repeat(size - 14)}"}`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const cases: Case[] = [
  {
    api: 'lumen',
    method: 'POST',
    path: '/partners/v1/purchases',
    contentType: 'application/json',
    valid: () => ({ 'X-Partner-Api-Key': demo('acme').lumen.apiKey }),
    madeUp: { 'X-Partner-Api-Key': 'lumen_sk_made_up' },
    body: jsonFiller,
    tooLarge: (body) => expect(body).toMatchObject({ success: false, error: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than 64 KB.' } }),
  },
  {
    api: 'operations',
    method: 'POST',
    path: '/functions/v1/openapi-operations',
    contentType: 'application/json',
    valid: () => ({ 'X-Api-Key': demo('acme').operations.apiKey }),
    madeUp: { 'X-Api-Key': 'ops_sk_made_up' },
    body: jsonFiller,
    tooLarge: (body) => expect(body).toEqual({ error: 'The request body is larger than 64 KB.' }),
  },
  {
    api: 'dpd',
    method: 'POST',
    path: '/purchases/1001/reactivate',
    contentType: 'application/json',
    valid: () => ({ Authorization: basic(demo('acme').dpd.username, demo('acme').dpd.password) }),
    madeUp: { Authorization: basic('acme', 'made-up') },
    body: jsonFiller,
    tooLarge: (body) => expect(body).toEqual({ status: 'TOOLARGE', message: 'The request body is larger than 64 KB.' }),
  },
  {
    api: 'kit',
    method: 'POST',
    path: '/v4/purchases',
    contentType: 'application/json',
    valid: () => ({ Authorization: `Bearer ${demo('acme').kit.token}` }),
    madeUp: { Authorization: 'Bearer kit_at_made_up' },
    body: jsonFiller,
    tooLarge: (body) => expect(body).toEqual({ errors: ['The request body is larger than 64 KB.'] }),
  },
  {
    api: 'groupcommerce',
    method: 'POST',
    path: '/api/v3/publisher/order',
    contentType: 'application/x-www-form-urlencoded',
    valid: (url, body) => ({ Authorization: oauthHeader(demo('acme').groupcommerce, url, 'POST', body) }),
    madeUp: { Authorization: oauthHeader({ consumerKey: 'made-up', consumerSecret: 'made-up' }, 'http://x/', 'POST', null) },
    body: (size) => `CustomTrackingInfo=${'x'.repeat(size - 19)}`,
    tooLarge: (body) => expect(body).toMatchObject({ success: false, errors: [{ code: 'RequestTooLarge', message: 'The request body is larger than 64 KB.' }] }),
  },
];

/**
 * Sends the first `sent` bytes of `body` and holds the rest back; resolves with the answer, which
 * must come before the body ends (the request is then abandoned).
 */
function sendPartly(url: string, headers: Record<string, string>, body: string, mode: 'declared' | 'chunked'): Promise<{ status: number; json: unknown }> {
  const sent = 256 * 1024;
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'POST',
      headers: { ...headers, ...(mode === 'declared' ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) },
    });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`no answer while the body was held back (${mode})`));
    }, 10_000);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        clearTimeout(timer);
        request.destroy();
        resolve({ status: response.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      });
    });
    request.on('error', (error) => {
      // Abandoning the request after the answer is expected; anything before it is not.
      if (!request.destroyed) reject(error);
    });
    // In 16 KiB pieces, as a client streaming a large body would.
    for (let offset = 0; offset < sent; offset += 16 * 1024) request.write(body.slice(offset, offset + 16 * 1024));
  });
}

describe.each(cases)('$api: a body over the limit', (apiCase) => {
  const url = () => `${stack().apis[apiCase.api]}${apiCase.path}`;
  const body = apiCase.body(declaredBytes);

  it.each(['declared', 'chunked'] as const)('is a 413 under a valid credential, answered before the body ends (%s length)', async (mode) => {
    const answer = await sendPartly(url(), { 'Content-Type': apiCase.contentType, ...apiCase.valid(url(), body) }, body, mode);
    expect(answer.status).toBe(413);
    apiCase.tooLarge(answer.json);
  });

  it.each(['declared', 'chunked'] as const)('is a 413 under a made-up credential, answered before the body ends (%s length)', async (mode) => {
    const answer = await sendPartly(url(), { 'Content-Type': apiCase.contentType, ...apiCase.madeUp }, body, mode);
    expect(answer.status).toBe(413);
    apiCase.tooLarge(answer.json);
  });

  it('still takes a body just under the limit to its checks', async () => {
    const small = apiCase.body(60 * 1024);
    const res = await fetch(url(), { method: apiCase.method, headers: { 'Content-Type': apiCase.contentType, ...apiCase.valid(url(), small) }, body: small });
    // Read whole and judged by the API: an unknown field, not a size.
    expect(res.status).not.toBe(413);
    expect(res.status).toBeLessThan(500);
  });
});
