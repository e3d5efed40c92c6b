/**
 * GET /docs: a worker's API reference page. Swagger UI renders the worker's own /openapi.json; its
 * script and style are the worker's static assets (/docs/swagger-ui-bundle.js, built by
 * `npm run build:docs`), so the page fetches nothing from elsewhere: no fonts, no validator badge.
 */
import type { Context } from 'hono';

export function docsPage(c: Context, title: string): Response {
  const escaped = title.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return c.html(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escaped}: API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', validatorUrl: null, deepLinking: true, tryItOutEnabled: false });
</script>
</body>
</html>
`);
}
