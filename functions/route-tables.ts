/** Every API's routes, as its worker declares them (functions/<api>/route-table.ts), by the registry's names. */
import type { ApiName } from '../shared/apis.ts';
import type { RouteTable } from '../shared/app/routes.ts';
import { dpdRoutes } from './dpd/route-table.ts';
import { groupCommerceRoutes } from './groupcommerce/route-table.ts';
import { kitRoutes } from './kit/route-table.ts';
import { lumenRoutes } from './lumen/route-table.ts';
import { operationsRoutes } from './operations/route-table.ts';

export const routeTables: Record<ApiName, RouteTable> = {
  lumen: lumenRoutes,
  operations: operationsRoutes,
  dpd: dpdRoutes,
  kit: kitRoutes,
  groupcommerce: groupCommerceRoutes,
};

/** The API's first listed route: where its banner points. */
export function mainPath(api: ApiName): string {
  return Object.values(routeTables[api]).find((route) => route.purpose !== undefined)!.path;
}
