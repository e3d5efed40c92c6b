/** Kit's RPCs and the ledger shapes they take and answer with (shared/ledger). */
import * as z from 'zod/mini';
import { defineRpc } from '../../shared/db/index.ts';
import { ledgerCustomer, ledgerLine, ledgerPurchase } from '../../shared/ledger/schemas.ts';

const purchase = z.extend(
  z.pick(ledgerPurchase, {
    number: true, external_id: true, status: true, currency: true, purchased_at: true,
    subtotal: true, discount: true, tax: true, total: true,
  }),
  {
    customer: z.nullable(z.pick(ledgerCustomer, { number: true, email: true })),
    lines: z.array(z.pick(ledgerLine, { quantity: true, line_id: true, unit_price: true, sku: true, name: true, product_code: true })),
  },
);
export type KitRpcPurchase = z.output<typeof purchase>;

export const createPurchaseRpc = defineRpc('kit_create_purchase', z.object({ purchase, created: z.boolean() }));
export const getPurchaseRpc = defineRpc('kit_get_purchase', z.object({ purchase }));
export const listPurchasesRpc = defineRpc(
  'kit_list_purchases',
  z.object({
    purchases: z.array(purchase),
    /** The page's highest and lowest purchase numbers (null on an empty page): its cursors. */
    newest: z.nullable(z.number()),
    oldest: z.nullable(z.number()),
    has_newer: z.boolean(),
    has_older: z.boolean(),
    count: z.nullable(z.number()),
  }),
);

/** What kit_create_purchase takes, in the ledger's names; amounts as exact decimal strings. */
export type KitPurchaseForLedger = {
  external_id: string;
  status: string;
  currency: string;
  purchased_at?: string;
  subtotal: string;
  tax: string;
  shipping: string;
  discount: string;
  total: string;
  customer: { email: string };
  lines: Array<{ product_code: string; name: string; line_id: string; quantity: number; unit_price: string; sku?: string | null }>;
};
