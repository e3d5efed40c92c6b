/**
 * Cross-site requests are refused on every route that changes state. A browser that once opened
 * an API keeps its Basic credential and sends it with any form another site posts there, so a
 * page elsewhere could act for the user (DPD's reactivate would mail download links to an
 * address the page names). Browsers say where a request comes from (`Sec-Fetch-Site`, `Origin`);
 * servers send neither, so server-to-server clients (form-encoded publisher orders, DPD
 * reactivations by query string) pass as before.
 *
 * `hono/csrf` is not used: it refuses form-like requests that carry neither header, which is
 * every server client of the publisher API.
 */

/** The refusal's words: `from` names what the request said of where it came from. */
const refusal = (from: string) => `This request was sent by a page of another site (${from}); the API accepts changes only from its clients' servers and its own pages.`;

/** What the API documents say of the refusal, and an example of its message. */
export const crossSiteRefusal = {
  description: 'Sent by a page of another site (its Origin or Sec-Fetch-Site says so).',
  example: refusal('Sec-Fetch-Site: cross-site'),
};

/** What a request's origin headers say, when they say a page of another site sent a change. */
export function crossSiteProblem(method: string, requestUrl: string, headers: Headers, publicOrigins: string | undefined): string | undefined {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return undefined;
  const site = headers.get('Sec-Fetch-Site')?.trim().toLowerCase();
  if (site === 'cross-site' || site === 'same-site') return refusal(`Sec-Fetch-Site: ${site}`);
  const origin = headers.get('Origin');
  if (origin === null || isOwnOrigin(origin.trim().toLowerCase(), requestUrl, publicOrigins)) return undefined;
  return refusal(`Origin: ${origin.slice(0, 100)}`);
}

/**
 * Whether `origin` is the API's own: the one the request was addressed to (the edge's hostname,
 * through the edge) or one PUBLIC_ORIGINS lists (comma-separated, e.g. a proxy's public origin).
 */
function isOwnOrigin(origin: string, requestUrl: string, publicOrigins: string | undefined): boolean {
  return [requestUrl, ...(publicOrigins ?? '').split(',')].some((url) => URL.canParse(url.trim()) && new URL(url.trim()).origin.toLowerCase() === origin);
}
