/** DPD's RPCs and the ledger shapes they answer with (shared/ledger). */
import * as z from 'zod/mini';
import { answersNothing, defineRpc } from '../../shared/db/index.ts';
import { ledgerCustomer, ledgerLine, ledgerPurchase } from '../../shared/ledger/schemas.ts';

/** A purchase with every detail DPD shows (private.purchase_detail_json). */
const purchase = z.extend(
  z.omit(ledgerPurchase, {
    id: true, source: true, lead_id: true, channel_id: true, purchased_at: true, description: true, external_id: true,
    customer: true, lines: true,
  }),
  {
    customer: z.nullable(z.omit(ledgerCustomer, { id: true })),
    lines: z.array(z.omit(ledgerLine, { product_id: true, product_code: true, line_id: true, sku: true })),
  },
);
export type DpdRpcPurchase = z.output<typeof purchase>;

export const listPurchasesRpc = defineRpc('dpd_list_purchases', z.object({ count: z.number(), purchases: z.array(purchase) }));
export const getPurchaseRpc = defineRpc('dpd_get_purchase', purchase);
export const reactivatePurchaseRpc = defineRpc('dpd_reactivate_purchase', answersNothing);
