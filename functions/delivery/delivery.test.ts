import { describe, expect, it } from 'vitest';
import { retryDelaySeconds } from './env.ts';
import { renderEmail, senderOf } from './mail/render.ts';
import type { EmailMessage } from './messages.ts';
import { webhookMessageId } from './webhook.ts';

describe('retryDelaySeconds', () => {
  it('doubles from the base and stops at Queues’ 12-hour maximum', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelaySeconds(attempt, 30))).toEqual([30, 60, 120, 240]);
    expect(retryDelaySeconds(12, 30)).toBe(43_200);
    expect(retryDelaySeconds(40, 30)).toBe(43_200);
  });

  it('spans about a day over the deployed schedule (12 retries from 30 s)', () => {
    const total = Array.from({ length: 12 }, (_, i) => retryDelaySeconds(i + 1, 30)).reduce((a, b) => a + b, 0);
    expect(total / 3600).toBeGreaterThan(20);
    expect(total / 3600).toBeLessThan(36);
  });
});

const company = { slug: 'acme', name: 'Acme "Outfitters"', email_from: null };

function message(template: string, content: Record<string, unknown>): EmailMessage {
  return { id: 'e1', kind: 'email', state: 'pending', attempts: 0, company, to: 'buyer@example.com', template, content, created_at: '2026-12-01T00:00:00Z' };
}

describe('renderEmail', () => {
  const settings = { mailFromDomain: 'mail.example.com', downloadBaseUrl: 'https://dl.example.com/' };

  it("sends from the company's own address, else its slug at the platform's domain", () => {
    expect(senderOf(company, 'mail.example.com')).toBe('"Acme Outfitters" <acme@mail.example.com>');
    expect(senderOf({ ...company, email_from: 'orders@acme.example' }, 'mail.example.com')).toBe('"Acme Outfitters" <orders@acme.example>');
  });

  it('lists a DPD delivery with links, keys and expiry, escaped in HTML', () => {
    const email = renderEmail(
      message('purchase_refulfilled', {
        purchase: { number: 7, purchased_at: '2026-11-30T10:00:00Z', salt: 'abc', buyer: 'Ann <Lee>' },
        refulfilled: true,
        items: [{ number: 3, name: 'Guide & Tools', quantity: 2, download_limit: 0, expires_at: null, keys: ['K-1', 'K-2'] }],
      }),
      settings,
    );
    expect(email.subject).toBe('New keys and downloads for your purchase #7 from Acme "Outfitters"');
    expect(email.text).toContain('Download: https://dl.example.com/abc/3 (unlimited downloads, with no expiry)');
    expect(email.text).toContain('Key: K-2');
    expect(email.html).toContain('Guide &amp; Tools');
    expect(email.html).toContain('Hello Ann &lt;Lee&gt;,');
    expect(email.html).not.toContain('<Lee>');
  });

  it('refuses a template it does not know', () => {
    expect(() => renderEmail(message('nonsense', {}), settings)).toThrow(/no template named nonsense/);
  });
});

describe('webhookMessageId', () => {
  it('is the event id: the same for every endpoint and attempt', () => {
    expect(webhookMessageId('3f3f943e-7cab-4f03-9f61-c3a43ae5e0f5')).toBe('msg_3f3f943e7cab4f039f61c3a43ae5e0f5');
  });
});
