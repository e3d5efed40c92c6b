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

/** What the API documents say of the refusal, and an example of its message. */
export const crossSiteRefusal = {
  description: "Sent by a page of another site (its Origin or Sec-Fetch-Site says so): changes are accepted from the clients' servers and the API's own pages only.",
  example: "This request was sent by a page of another site (Sec-Fetch-Site: cross-site); the API accepts changes only from its clients' servers or its own pages.",
};

/** Methods that read only; everything else may change state. */
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a request's origin headers say, when they say it comes from another site. */
export function crossSiteProblem(method: string, requestUrl: string, headers: Headers, publicOrigins: string | undefined): string | undefined {
  if (safeMethods.has(method.toUpperCase())) return undefined;
  const site = headers.get('Sec-Fetch-Site')?.trim().toLowerCase();
  if (site === 'cross-site' || site === 'same-site') {
    return crossSiteRefusal.example.replace('cross-site', site);
  }
  const origin = headers.get('Origin');
  if (origin === null) return undefined;
  if (allowedOrigins(requestUrl, publicOrigins).has(origin.trim().toLowerCase())) return undefined;
  return `This request was sent by a page of another origin (${origin.slice(0, 100)}); the API accepts changes only from its clients' servers or its own pages.`;
}

/**
 * The API's own origins: the one the request was addressed to (the edge's hostname, through the
 * edge) and any PUBLIC_ORIGINS lists (comma-separated, e.g. a proxy's public origin).
 */
function allowedOrigins(requestUrl: string, publicOrigins: string | undefined): Set<string> {
  const origins = new Set([new URL(requestUrl).origin.toLowerCase()]);
  for (const listed of (publicOrigins ?? '').split(',')) {
    const trimmed = listed.trim();
    if (!trimmed) continue;
    try {
      origins.add(new URL(trimmed).origin.toLowerCase());
    } catch {
      // Not a URL: it names no origin.
    }
  }
  return origins;
}
