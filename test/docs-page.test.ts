/**
 * Each worker's /docs page in headless Chromium (from the @sparticuz/chromium npm package, driven
 * by playwright-core: nothing to install from apt): it renders
 * the worker's endpoints from its own /openapi.json, fetches nothing from another origin, and the
 * test keeps a screenshot of it in .local/test/docs/.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiNames } from '../platform/stack/config.ts';
import { stack } from './helpers.ts';

const screenshots = resolve('.local', 'test', 'docs');
let browser: Browser;

beforeAll(async () => {
  // The package unpacks its Chromium on first use; its flags suit a headless server (no sandbox as
  // root), less the ones made for one-page serverless runs: one process dies with its first page
  // closed, and the page's origin rules stay on. No background calls to the network either
  // (playwright gives the browser a fresh profile).
  const serverlessOnly = new Set(['--single-process', '--disable-web-security', '--allow-running-insecure-content']);
  browser = await chromium.launch({
    executablePath: await sparticuz.executablePath(),
    args: [
      ...sparticuz.args.filter((arg) => !serverlessOnly.has(arg)),
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  await mkdir(screenshots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

const shows: Record<string, string[]> = {
  lumen: ['/partners/v1/purchases'],
  operations: ['/functions/v1/openapi-operations'],
  dpd: ['/purchases', '/purchases/{id}', '/purchases/{id}/reactivate'],
  kit: ['/v4/purchases', '/v4/purchases/{id}'],
  groupcommerce: ['/api/v3/publisher/order', '/api/v3/publisher/order/validate', '/api/v3/publisher/consumer/creditcards'],
};

describe('GET /docs in headless Chromium', () => {
  it.each(apiNames)('%s shows its endpoints from its own origin only', async (api) => {
    const origin = stack().apis[api];
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) elsewhere.push(request.url());
    });
    try {
      const res = await page.goto(`${origin}/docs`);
      expect(res?.status()).toBe(200);
      await page.waitForSelector('.opblock', { timeout: 15_000 });
      const paths = await page.locator('.opblock-summary-path').allInnerTexts();
      for (const path of shows[api]!) expect(paths.map((p) => p.replace(/\u200b/g, '').trim())).toContain(path);
      await page.screenshot({ path: join(screenshots, `${api}.png`), fullPage: false });
      expect(elsewhere).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('the edge index at /docs in headless Chromium', () => {
  it('shows the five APIs in the reference pages\' style, each with what it is for and its operations', async () => {
    const origin = stack().apis.edge;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(origin)) elsewhere.push(request.url());
    });
    try {
      // What a browser opening the address npm start prints gets: the index, not DPD's login prompt.
      const res = await page.goto(`${origin}/`);
      expect(res?.status()).toBe(200);
      expect(page.url()).toBe(`${origin}/docs`);
      await page.waitForSelector('.opblock-tag');
      expect(await page.locator('.opblock-tag a span').allInnerTexts()).toHaveLength(apiNames.length);
      const paths = (await page.locator('.opblock-summary-path').allInnerTexts()).map((p) => p.trim());
      for (const api of apiNames) for (const path of shows[api]!) expect(paths).toContain(path);
      // Styled by the reference pages' own stylesheet: the method badges have their colours.
      const post = await page.locator('.opblock-post .opblock-summary-method').first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
      expect(post).toBe('rgb(73, 204, 144)');
      for (const purpose of await page.locator('.opblock-tag small').allInnerTexts()) expect(purpose.length).toBeGreaterThan(40);
      await page.screenshot({ path: join(screenshots, 'index.png'), fullPage: false });
      expect(elsewhere).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
