import { describe, expect, it } from 'vitest';
import { crossSiteProblem } from './cross-site.ts';

const url = 'https://api.example.com/purchases/7/reactivate';
const problem = (method: string, headers: Record<string, string>, publicOrigins?: string) => crossSiteProblem(method, url, new Headers(headers), publicOrigins);

describe('crossSiteProblem', () => {
  it('refuses changes sent by pages of other sites', () => {
    expect(problem('POST', { 'Sec-Fetch-Site': 'cross-site' })).toMatch(/another site/);
    expect(problem('POST', { 'Sec-Fetch-Site': 'same-site' })).toMatch(/another site/);
    expect(problem('DELETE', { Origin: 'https://evil.example' })).toMatch(/another site \(Origin: https:\/\/evil.example\)/);
    expect(problem('POST', { Origin: 'null' })).toMatch(/Origin: /);
    expect(problem('POST', { Origin: 'https://api.example.com.evil.example' })).toMatch(/Origin: /);
    expect(problem('POST', { Origin: 'http://api.example.com' })).toMatch(/Origin: /);
  });

  it("lets servers, the API's own pages and reads through", () => {
    expect(problem('POST', {})).toBeUndefined();
    expect(problem('POST', { 'Sec-Fetch-Site': 'same-origin', Origin: 'https://api.example.com' })).toBeUndefined();
    expect(problem('POST', { 'Sec-Fetch-Site': 'none' })).toBeUndefined();
    expect(problem('POST', { Origin: 'https://API.example.com' })).toBeUndefined();
    expect(problem('GET', { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' })).toBeUndefined();
  });

  it('accepts the origins PUBLIC_ORIGINS lists', () => {
    expect(problem('POST', { Origin: 'https://purchases.example.org' }, 'https://purchases.example.org, not a url')).toBeUndefined();
    expect(problem('POST', { Origin: 'https://other.example.org' }, 'https://purchases.example.org')).toMatch(/Origin: /);
  });
});
