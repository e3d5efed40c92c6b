/**
 * Lumen's wire form and the ledger's: the purchase it reports in the ledger's names, the 201 answer
 * echoed as the reference's example shows it.
 */
import type * as z from 'zod/mini';
import { isoSeconds } from '../../shared/ledger/timestamps.ts';
import type { lumenPurchaseOut } from './openapi.ts';
import type { LumenPurchaseForLedger } from './rpcs.ts';
import type { LumenPurchase } from './schema.ts';

/** A validated Lumen purchase in the ledger's names. */
export function lumenPurchaseForLedger(purchase: LumenPurchase): LumenPurchaseForLedger {
  const address = purchase.shippingAddress;
  // What Lumen carried beyond the ledger's columns, as given: members the request left out are not kept.
  const attributes: LumenPurchaseForLedger['attributes'] = { fulfillment: purchase.fulfillment };
  if (purchase.additionalInfo) attributes.additionalInfo = purchase.additionalInfo;
  if (purchase.properties) attributes.properties = purchase.properties as LumenPurchaseForLedger['attributes'];
  return {
    external_id: purchase.partnerPurchaseId,
    // spec: fulfillment true, Lumen ships the goods.
    requires_shipping: purchase.fulfillment,
    ...(address
      ? {
          // Shipped to the customer by name.
          shipping_first_name: purchase.customer.firstName,
          shipping_last_name: purchase.customer.lastName,
          shipping_street: address.address1,
          shipping_street2: address.address2,
          shipping_city: address.city,
          shipping_state: address.state,
          shipping_zip: address.zip,
          shipping_country_code: address.countryCode,
          shipping_phone: address.phone,
        }
      : {}),
    attributes,
    customer: { email: purchase.customer.email, first_name: purchase.customer.firstName, last_name: purchase.customer.lastName },
    lines: purchase.items.map((item) => ({ product_code: item.productId, quantity: item.quantity })),
  };
}

/** spec: ids look like `pur_a1b2c3d4e5`; ours are the ledger's purchase number in 10 hex digits. */
export function lumenPurchaseId(number: number): string {
  return `pur_${number.toString(16).padStart(10, '0')}`;
}

export function toLumenPurchase(purchase: LumenPurchase, created: { number: number; created_at: string }): z.output<typeof lumenPurchaseOut> {
  return {
    id: lumenPurchaseId(created.number),
    partnerPurchaseId: purchase.partnerPurchaseId,
    fulfillment: purchase.fulfillment,
    createdAt: isoSeconds(created.created_at),
    customer: purchase.customer,
    items: purchase.items,
    ...(purchase.shippingAddress ? { shippingAddress: purchase.shippingAddress } : {}),
    ...(purchase.additionalInfo ? { additionalInfo: purchase.additionalInfo } : {}),
    ...(purchase.properties ? { properties: purchase.properties } : {}),
  };
}
