/** DPD's wire form of a purchase: its field names, UNIX timestamps, money as decimal strings, masked card. */
import type * as z from 'zod/mini';
import { centsToDecimal, toCents } from '../../shared/money/index.ts';
import type { dpdPurchaseOut } from './openapi.ts';
import { statusOfCode } from './status.ts';

const codeOfStatus = Object.fromEntries(Object.entries(statusOfCode).map(([code, status]) => [status, code]));

type Row = Record<string, any>;

/** Money as DPD writes it: a decimal string with two places ("0.00" when the reporter gave none). */
export function money(value: unknown): string {
  if (value === null || value === undefined) return '0.00';
  // numeric(14,2) arrives as a JSON number of at most two decimals: toFixed(2) only pads it.
  return (value as number).toFixed(2);
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

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
export function dpdAmounts(row: Row): { subtotal: string; discount: string; tax: string; shipping: string; total: string } {
  const [discount, tax, shipping, total] = [row.discount, row.tax, row.shipping, row.total].map(toCents) as [bigint, bigint, bigint, bigint];
  const subtotal = row.subtotal === null || row.subtotal === undefined ? total - tax - shipping + discount : toCents(row.subtotal);
  return { subtotal: centsToDecimal(subtotal), discount: centsToDecimal(-discount), tax: centsToDecimal(tax), shipping: centsToDecimal(shipping), total: centsToDecimal(total) };
}

/** `row` is what private.dpd_purchase_row builds: the ledger's purchase under `purchase`, the rest beside it. */
export function toDpdPurchase(built: Row): z.output<typeof dpdPurchaseOut> {
  const row: Row = { ...built.purchase, ...built };
  const customer = row.customer as Row | null;
  const shipment = row.shipment as Row | null;
  const items = row.items as Row[];
  const tangibles = row.requires_shipping
    ? shipment && shipment.status === 'pending'
      ? items.reduce((sum, item) => sum + (item.quantity as number), 0)
      : 0
    : null;
  return {
    id: row.number,
    created_at: row.created_epoch,
    updated_at: row.updated_epoch,
    storefront_id: row.storefront_number ?? null,
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
          created_at: customer.created_epoch,
          updated_at: customer.updated_epoch,
        }
      : null,
    customer_notes: text(row.customer_notes),
    custom_fields: row.custom_fields as Array<{ label: string; response: string }>,
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
    line_items: items.map((item) => ({
      id: item.number,
      purchase_id: row.number,
      product_id: item.product_number,
      price: money(item.price),
      quantity: item.quantity,
      subtotal: money(item.subtotal),
      tax: money(item.tax),
      // Money off, so negative, as on the purchase.
      discount: centsToDecimal(-toCents(item.discount)),
      // spec: "Line total (subtotal + tax + discount)", in exact cents.
      total: centsToDecimal(toCents(item.subtotal) + toCents(item.tax) - toCents(item.discount)),
      product_name: text(item.product_name),
      download_limit: item.download_limit,
      download_count: item.download_count,
      expires_at: item.expires_epoch ?? null,
      product_keys: item.product_keys as string[],
      has_all_keys: item.has_all_keys,
    })),
    coupons: (row.coupons as Row[]).map((coupon) => ({
      name: coupon.name,
      code: coupon.code,
      discount_amount: money(coupon.discount_amount),
      discount_type: coupon.discount_type,
    })),
    ip_address: text(row.ip_address),
    marketing_optin: row.marketing_optin === true,
  };
}
