/** The publisher order form in the ledger's names, and the database's answers in the reference's. */
import type { OrderForm } from './order-request.ts';
import { billingScenario } from './order-request.ts';
import type { OrderForLedger, OrderLineForLedger } from './rpcs.ts';

const upper = (value: string | undefined) => value?.toUpperCase();

/** A shipping name is one name: its first word is the first name, the rest the last. */
export function splitName(name: string | undefined): { first?: string; last?: string } {
  if (name === undefined) return {};
  const space = name.indexOf(' ');
  if (space < 0) return { first: name };
  const last = name.slice(space + 1);
  return { first: name.slice(0, space), ...(last === '' ? {} : { last }) };
}

/** The checked order form in the ledger's names. */
export function orderForLedger(order: OrderForm): OrderForLedger {
  const billing = order.BillingInfo;
  const consumer = order.ConsumerInfo;
  const external = billing.ExternalTransactionInformation;
  const affiliate = order.AffiliateInfo;
  const lines = order.OrderDetails.map(
    (detail): OrderLineForLedger => ({
      offer_number: detail.OfferId,
      option_number: detail.OfferOptionId,
      segment_key: detail.SegmentKey,
      quantity: detail.Quantity,
      is_gift: detail.IsGift ?? false,
      recipient_email: detail.EmailAddress,
      recipient_first_name: detail.FirstName,
      recipient_last_name: detail.LastName,
      gift_message: detail.Message,
      shipping_name: detail.ShippingName,
      address: detail.Address,
      address2: detail.Address2,
      city: detail.City,
      state: upper(detail.State),
      country: upper(detail.Country),
      postal_code: detail.PostalCode,
      shipping_phone: detail.ShippingPhone,
    }),
  );
  // The first line with an address is where the order ships (a gift's recipient, say).
  const shipTo = lines.find((line) => line.address);
  const shippingName = splitName(shipTo?.shipping_name);
  const country = upper(billing.BillingCountry);
  return {
    customer: {
      user_key: consumer.UserKey,
      email: consumer.Email,
      first_name: consumer.FirstName,
      last_name: consumer.LastName,
      no_email: consumer.NoEmail ?? false,
      referred_by_user_key: consumer.ReferredByUserKey,
    },
    lines,
    payment: billingScenario(order),
    stored_card_id: billing.StoredCreditCardId,
    store_card: billing.StoreCreditCard ?? false,
    spend_credits: billing.SpendCredits ?? true,
    promo_codes: order.PromoCodes ?? [],
    use_promotional_price: order.UsePromotionalPrice ?? false,
    allow_duplicate: order.AllowDuplicatePurchase ?? false,
    send_email: order.SendEmail ?? true,
    billing_street: billing.BillingAddress,
    billing_street2: billing.BillingAddress2,
    billing_city: billing.BillingCity,
    billing_state: billing.BillingState,
    billing_zip: billing.BillingZip,
    // The ledger keeps a country only as a two-letter code; a name such as "United States" is not one.
    billing_country_code: country !== undefined && /^[A-Z]{2}$/.test(country) ? country : undefined,
    ...(shipTo
      ? {
          shipping_first_name: shippingName.first,
          shipping_last_name: shippingName.last,
          shipping_street: shipTo.address,
          shipping_street2: shipTo.address2,
          shipping_city: shipTo.city,
          shipping_state: shipTo.state,
          shipping_zip: shipTo.postal_code,
          shipping_country_code: shipTo.country,
          shipping_phone: shipTo.shipping_phone,
        }
      : {}),
    external_amount_charged: external?.AmountCharged,
    external_credit_value_used: external?.CreditValueUsed,
    external_payment_type: external?.PaymentType,
    external_transaction_id: external?.TransactionId,
    affiliate_id: affiliate?.AffiliateId,
    affiliate_source: affiliate?.AffiliateSource,
    affiliate_started_at: affiliate?.CreateUnixTimestamp === undefined ? undefined : new Date(affiliate.CreateUnixTimestamp * 1000).toISOString(),
    // Kept as the publisher sent them.
    tracking_fields: order.PurchaseTrackingInfo?.AdditionalFields ?? [],
    custom_tracking: order.CustomTrackingInfo,
  };
}
