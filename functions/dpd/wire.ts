/** DPD's wire form of a purchase: its field names, UNIX timestamps, money as decimal strings, masked card. */
import type * as z from 'zod/mini';
import { unixSeconds } from '../../shared/ledger/timestamps.ts';
import { centsToDecimal, toCents } from '../../shared/money/index.ts';
import type { dpdPurchaseOut } from './openapi.ts';
import type { DpdRpcPurchase } from './rpcs.ts';
import { statusOfCode } from './status.ts';

const codeOfStatus = Object.fromEntries(Object.entries(statusOfCode).map(([code, status]) => [status, code]));

/** Money as DPD writes it: a decimal string with two places ("0.00" when the reporter gave none). */
export function money(value: number | null | undefined): string {
  if (value === null || value === undefined) return '0.00';
  // numeric(14,2) arrives as a JSON number of at most two decimals: toFixed(2) only pads it.
  return value.toFixed(2);
}

const text = (value: string | null | undefined): string => value ?? '';

let regionNames: Intl.DisplayNames | undefined;
/** "United States" for "US": the full country name DPD reports beside the code. */
export function countryName(code: unknown): string {
  if (typeof code !== 'string' || code === '') return '';
  regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
  return regionNames.of(code) ?? code;
}

/** The card's last four digits padded with asterisks to a card's usual sixteen. */
export function maskedCard(last4: unknown): string {
  return typeof last4 === 'string' && last4 !== '' ? `${'*'.repeat(12)}${last4}` : '';
}

/**
 * DPD's arithmetic on the ledger's amounts. The reference defines total = subtotal + discount + tax
 * + shipping (and a line's total = subtotal + tax + discount): a discount is money off, so it is
 * shown negative (or 0.00). Amounts a reporter left out are 0.00, and a subtotal left out is what
 * makes the total add up (the operations function reports only the amount). Every API writes
 * amounts that add up (Kit refuses a report whose amounts do not), so both formulas hold.
 */
export function dpdAmounts(row: Pick<DpdRpcPurchase, 'subtotal' | 'discount' | 'tax' | 'shipping' | 'total'>): { subtotal: string; discount: string; tax: string; shipping: string; total: string } {
  const [discount, tax, shipping, total] = [row.discount, row.tax, row.shipping, row.total].map(toCents) as [bigint, bigint, bigint, bigint];
  const subtotal = row.subtotal === null || row.subtotal === undefined ? total - tax - shipping + discount : toCents(row.subtotal);
  return { subtotal: centsToDecimal(subtotal), discount: centsToDecimal(-discount), tax: centsToDecimal(tax), shipping: centsToDecimal(shipping), total: centsToDecimal(total) };
}

/** The ledger's purchase (private.purchase_detail_json) as DPD shows it. */
export function toDpdPurchase(row: DpdRpcPurchase): z.output<typeof dpdPurchaseOut> {
  const { customer, shipment, lines } = row;
  const tangibles = row.requires_shipping
    ? shipment && shipment.status === 'pending'
      ? lines.reduce((sum, line) => sum + line.quantity, 0)
      : 0
    : null;
  return {
    id: row.number,
    created_at: unixSeconds(row.created_at),
    updated_at: unixSeconds(row.updated_at),
    storefront_id: row.storefront_number,
    salt: row.salt,
    status: codeOfStatus[row.status] ?? 'ACT',
    currency: text(row.currency),
    ...dpdAmounts(row),
    processor_fee: money(row.processor_fee),
    buyer_email: text(customer?.email),
    buyer_firstname: text(customer?.first_name),
    buyer_lastname: text(customer?.last_name),
    customer: customer
      ? {
          id: customer.number,
          firstname: text(customer.first_name),
          lastname: text(customer.last_name),
          email: text(customer.email),
          receives_email: customer.receives_email,
          created_at: unixSeconds(customer.created_at),
          updated_at: unixSeconds(customer.updated_at),
        }
      : null,
    customer_notes: text(row.customer_notes),
    custom_fields: row.custom_fields,
    shipping_firstname: text(row.shipping_first_name),
    shipping_lastname: text(row.shipping_last_name),
    shipping_street: text(row.shipping_street),
    shipping_street2: text(row.shipping_street2),
    shipping_city: text(row.shipping_city),
    shipping_state: text(row.shipping_state),
    shipping_zip_code: text(row.shipping_zip),
    shipping_country_code: text(row.shipping_country_code),
    shipping_country: countryName(row.shipping_country_code),
    shipping_phone: text(row.shipping_phone),
    shipping_vatin: text(row.shipping_vatin),
    shipping_business_name: text(row.shipping_business_name),
    shipping_carrier: text(shipment?.carrier),
    shipping_tracking_number: text(shipment?.tracking_number),
    requires_shipping: row.requires_shipping === true,
    tangibles_to_ship: tangibles,
    billing_firstname: text(row.billing_first_name),
    billing_lastname: text(row.billing_last_name),
    billing_street: text(row.billing_street),
    billing_street2: text(row.billing_street2),
    billing_city: text(row.billing_city),
    billing_state: text(row.billing_state),
    billing_zip_code: text(row.billing_zip),
    billing_country_code: text(row.billing_country_code),
    billing_card_type: text(row.billing_card_type),
    billing_card_number: maskedCard(row.billing_card_last4),
    line_items: lines.map((line) => {
      // spec: a line's subtotal is its price times its quantity, in exact cents.
      const subtotal = toCents(line.unit_price) * BigInt(line.quantity);
      return {
        id: line.number,
        purchase_id: row.number,
        product_id: line.product_number,
        price: money(line.unit_price),
        quantity: line.quantity,
        subtotal: centsToDecimal(subtotal),
        tax: money(line.tax),
        // Money off, so negative, as on the purchase.
        discount: centsToDecimal(-toCents(line.discount)),
        // spec: "Line total (subtotal + tax + discount)", in exact cents.
        total: centsToDecimal(subtotal + toCents(line.tax) - toCents(line.discount)),
        product_name: line.name,
        download_limit: line.download_limit,
        download_count: line.download_count,
        expires_at: line.expires_at === null ? null : unixSeconds(line.expires_at),
        product_keys: line.product_keys,
        has_all_keys: line.product_keys.length >= line.keys_wanted,
      };
    }),
    coupons: row.coupons.map((coupon) => ({
      name: coupon.name,
      code: coupon.code,
      discount_amount: money(coupon.discount_amount),
      discount_type: coupon.discount_type,
    })),
    ip_address: text(row.ip_address),
    marketing_optin: row.marketing_optin === true,
  };
}
