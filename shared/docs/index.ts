/**
 * GET /docs: a worker's API reference page. Swagger UI renders the worker's own /openapi.json; its
 * script and style are the worker's static assets (/docs/swagger-ui-bundle.js, built by
 * `npm run build:docs`), so the page fetches nothing from elsewhere: no fonts, no validator badge.
 * Published under a prefix by the edge entry (`/lumen/docs`), the page links its files and
 * document under that prefix (X-Forwarded-Prefix, which the entry sets).
 */
import type { Context } from 'hono';

/** The prefix the edge entry publishes this worker under: one path segment of letters, or none. */
function publishedPrefix(c: Context): string {
  const prefix = c.req.header('X-Forwarded-Prefix') ?? '';
  return /^\/[a-z]{1,32}$/.test(prefix) ? prefix : '';
}

export function docsPage(c: Context, title: string): Response {
  const escaped = title.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const prefix = publishedPrefix(c);
  return c.html(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escaped}: API reference</title>
<link rel="stylesheet" href="${prefix}/docs/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="${prefix}/docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: '${prefix}/openapi.json', dom_id: '#reference', validatorUrl: null, deepLinking: true, tryItOutEnabled: false });
</script>
</body>
</html>
`);
}
