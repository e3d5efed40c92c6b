/** Request ids: kept from a well-formed incoming X-Request-Id, made otherwise, and echoed on every response. */
import type { MiddlewareHandler } from 'hono';

export const requestIdHeader = 'X-Request-Id';
const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

/** Sets `c.var.requestId` and the X-Request-Id response header (also on errors, via onError). */
export function requestId(): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async function requestIdMiddleware(c, next) {
    const incoming = c.req.header(requestIdHeader);
    const id = incoming && acceptable.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', id);
    c.header(requestIdHeader, id);
    await next();
  };
}
