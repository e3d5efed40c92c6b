/**
 * Each API's routes are declared once, as data (functions/<api>/route-table.ts): method, path,
 * the reference's name for the operation and one line on what it does. The worker mounts its
 * handlers by the table (mountRoutes), the OpenAPI document is written by it (shared/openapi), and
 * the edge's index lists it; none of them writes a path of its own. A table holds no handler, so
 * the edge and the document generator read it without loading a worker.
 */
import type { Handler, Hono, MiddlewareHandler } from 'hono';

/** A route's chain: the credential step, the validators, then the handler. */
// Each worker's chain is typed by its own env; mounting only needs to know they are handlers.
type Chain = readonly (MiddlewareHandler<any> | Handler<any>)[];

export interface RouteDeclaration {
  method: 'GET' | 'POST';
  /** Hono's syntax: `/v4/purchases/:id`. */
  path: string;
  /** The operation's name as the reference gives it (the document's summary). */
  summary: string;
  /**
   * What it does, in one line, on the edge's index of the APIs; a route without one is not listed
   * there (DPD's credential check at `/`, which the edge's origin keeps for its own index).
   */
  purpose?: string;
}

/** An API's routes by operation id. */
export type RouteTable = Record<string, RouteDeclaration>;

export function defineRoutes<const Table extends RouteTable>(table: Table): Table {
  return table;
}

/** A route's path as OpenAPI writes it: `/v4/purchases/{id}`. */
export function documentedPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

/**
 * Mounts each route of the table with its handlers (the credential step, the validators, the
 * handler), so a route without handlers, or handlers without a route, do not compile.
 */
export function mountRoutes<Table extends RouteTable>(
  // Any app: each worker's has its own bindings and variables.
  app: Hono<any, any, any>,
  table: Table,
  handlers: { [Operation in keyof Table]: Chain },
): void {
  for (const [operation, route] of Object.entries(table)) {
    app.on(route.method, [route.path], ...(handlers[operation as keyof Table] as MiddlewareHandler[]));
  }
}
