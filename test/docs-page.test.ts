/**
 * Each worker's /docs page in headless Chromium (Debian's, driven by playwright-core): it renders
 * the worker's endpoints from its own /openapi.json, fetches nothing from another origin, and the
 * test keeps a screenshot of it in .local/test/docs/.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiNames } from '../platform/stack/config.ts';
import { stack } from './helpers.ts';

const executablePath = '/usr/bin/chromium';
const screenshots = resolve('.local', 'test', 'docs');
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(executablePath)) throw new Error(`Debian's chromium is needed for this test: apt-get install chromium (${executablePath} is missing)`);
  // Flags as this machine needs them: no sandbox as root, no background calls to the network
  // (playwright gives the browser a fresh profile of its own).
  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
