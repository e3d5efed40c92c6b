/** Lumen's RPC and the ledger shapes it takes and answers with (shared/ledger). */
import * as z from 'zod/mini';
import { defineRpc, type Json } from '../../shared/db/index.ts';
import { ledgerPurchase } from '../../shared/ledger/schemas.ts';

export const createPurchaseRpc = defineRpc('lumen_create_purchase', z.pick(ledgerPurchase, { id: true, number: true, created_at: true }));

/** What lumen_create_purchase takes as `purchase`, in the ledger's names. */
export type LumenPurchaseForLedger = {
  external_id: string;
  requires_shipping: boolean;
  shipping_first_name?: string;
  shipping_last_name?: string;
  shipping_street?: string;
  shipping_street2?: string | null;
  shipping_city?: string;
  shipping_state?: string;
  shipping_zip?: string;
  shipping_country_code?: string;
  shipping_phone?: string;
  /** What Lumen carried beyond the ledger's columns, kept as sent. */
  attributes: { [name: string]: Json };
  customer: { email: string; first_name: string; last_name: string };
  lines: Array<{ product_code: string; quantity: number }>;
};
