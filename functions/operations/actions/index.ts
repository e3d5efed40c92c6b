/** Every operations action, by name. Adding an action is adding its file and a line here. */
import type { OperationsAction } from '../action.ts';
import { createPurchase } from './create-purchase.ts';
import { getPurchase } from './get-purchase.ts';
import { listPurchases } from './list-purchases.ts';
import { listRewardEvents } from './list-reward-events.ts';

export const actions: ReadonlyMap<string, OperationsAction> = new Map(
  ([createPurchase, getPurchase, listPurchases, listRewardEvents] as OperationsAction[]).map((action) => [action.name, action]),
);
