-- Group Commerce publisher orders: the checks that need the publisher's data, pricing (option
-- price, promotional price, promo codes, consumer credits), duplicate detection, and the order
-- itself in the shared purchases ledger, with its consumer, order details, gift recipients,
-- affiliate and tracking data, stored card and confirmation emails. Consumer credits are spent and
-- awarded by a trigger on the order.
--
-- Rules written down here because the reference leaves them open (credits: publisher credits):
-- * Promo codes apply in the order given, each to what is left after the previous ones: a money
--   code takes its amount off (never below zero), a percent code takes round(rest × percent / 100,
--   2) off, halves away from zero. A code given twice is an error, like an unknown one.
-- * Duplicates: unless AllowDuplicatePurchase is True (the .NET default of the flag is False), an
--   order from the same consumer for the same offer options in the same quantities as one placed
--   in the last ten minutes is not placed; its answer names the earlier order.

-- ============================================================================================
-- Tables
-- ============================================================================================

create table if not exists ledger.publisher_orders (
  purchase_id uuid primary key references ledger.purchases (id) on delete cascade,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  customer_id uuid not null references ledger.customers (id) on delete restrict,
  -- Set on the order that created a referred consumer; referrer credits go to this consumer.
  referrer_id uuid references ledger.customers (id) on delete set null,
  -- The offer options and quantities ordered, sorted, for duplicate detection.
  fingerprint text not null,
  subtotal numeric(14, 2) not null check (subtotal >= 0),
  discount numeric(14, 2) not null check (discount >= 0),
  credit_value_used numeric(14, 2) not null check (credit_value_used >= 0),
  charge_amount numeric(14, 2) not null check (charge_amount >= 0),
  use_promotional_price boolean not null,
  promo_codes text[] not null default '{}',
  payment text not null check (payment in ('new_card', 'stored_card', 'off_platform', 'none')),
  -- The processor's transaction; unique so a charge is never taken for two orders.
  transaction_id text unique,
  stored_card_id uuid references ledger.stored_cards (id) on delete set null,
  external_amount_charged numeric(14, 2),
  external_credit_value_used numeric(14, 2),
  external_payment_type integer,
  external_transaction_id text,
  affiliate_id integer,
  affiliate_source text,
  affiliate_started_at timestamptz,
  tracking_fields jsonb not null default '[]',
  custom_tracking text,
  send_email boolean not null,
  created_at timestamptz not null default now(),
  constraint publisher_orders_amounts_add_up check (charge_amount + credit_value_used = subtotal - discount)
);
comment on table ledger.publisher_orders is 'What a publisher order adds to its purchase: pricing, payment, affiliate and tracking data.';
create index if not exists publisher_orders_duplicates on ledger.publisher_orders (customer_id, fingerprint, created_at desc);

create table if not exists ledger.publisher_order_details (
  purchase_item_id uuid primary key references ledger.purchase_items (id) on delete cascade,
  purchase_id uuid not null references ledger.purchases (id) on delete cascade,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  offer_option_id uuid not null references ledger.offer_options (id) on delete restrict,
  segment_key text not null,
  is_gift boolean not null,
  recipient_email text,
  recipient_first_name text,
  recipient_last_name text,
  gift_message text,
  shipping_name text,
  address text,
  address2 text,
  city text,
  state text check (state ~ '^[A-Z]{2}$'),
  country text check (country ~ '^[A-Z]{2}$'),
  postal_code text,
  shipping_phone text
);
comment on table ledger.publisher_order_details is 'An order detail: the option, segment, gift recipient and shipping address of one line.';
create index if not exists publisher_order_details_purchase on ledger.publisher_order_details (purchase_id);

-- ============================================================================================
-- Row-level security: orders and details are written through the order RPC as purchases_api
-- ============================================================================================

alter table ledger.publisher_orders enable row level security;
alter table ledger.publisher_order_details enable row level security;
grant select, insert on ledger.publisher_orders, ledger.publisher_order_details to purchases_api;

drop policy if exists "Publisher orders are visible to their company" on ledger.publisher_orders;
create policy "Publisher orders are visible to their company" on ledger.publisher_orders
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Companies record their own orders" on ledger.publisher_orders;
create policy "Companies record their own orders" on ledger.publisher_orders
  for insert to purchases_api with check (
    company_id = (select private.caller_company_id())
    and exists (select 1 from ledger.purchases p where p.id = purchase_id)
    and exists (select 1 from ledger.customers c where c.id = customer_id)
  );
drop policy if exists "Order details are visible to their company" on ledger.publisher_order_details;
create policy "Order details are visible to their company" on ledger.publisher_order_details
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Companies record their own order details" on ledger.publisher_order_details;
create policy "Companies record their own order details" on ledger.publisher_order_details
  for insert to purchases_api with check (
    company_id = (select private.caller_company_id())
    and exists (select 1 from ledger.purchases p where p.id = purchase_id)
    and exists (select 1 from ledger.offer_options o where o.id = offer_option_id)
  );

-- ============================================================================================
-- Credits spent and awarded by each order
-- ============================================================================================

-- On each order: spend the credits it used (oldest first), make the consumer's credits that waited
-- for a next purchase spendable, then award this order's credits.
create or replace function private.apply_order_credits()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  order_currency text;
  to_spend numeric(14, 2) := new.credit_value_used;
  credit record;
  taken numeric(14, 2);
begin
  select p.currency into order_currency from ledger.purchases p where p.id = new.purchase_id;
  for credit in
    select c.id, c.remaining from ledger.consumer_credits c
    where c.customer_id = new.customer_id and c.currency = order_currency and c.status = 'available' and c.remaining > 0
    order by c.available_at, c.id
    for update
  loop
    exit when to_spend = 0;
    taken := least(credit.remaining, to_spend);
    update ledger.consumer_credits set remaining = remaining - taken where id = credit.id;
    insert into ledger.credit_spends (purchase_id, credit_id, company_id, amount) values (new.purchase_id, credit.id, new.company_id, taken);
    to_spend := to_spend - taken;
  end loop;
  if to_spend > 0 then
    raise exception 'credits changed' using errcode = 'PT409', hint = 'credits_changed';
  end if;

  update ledger.consumer_credits c set status = 'available', available_at = now()
  where c.customer_id = new.customer_id and c.status = 'pending';

  insert into ledger.consumer_credits (company_id, customer_id, rule_id, earned_by, amount, remaining, currency, status, available_at)
  select new.company_id,
         case a.beneficiary when 'consumer' then new.customer_id else new.referrer_id end,
         a.rule_id, new.purchase_id, a.amount, a.amount, order_currency,
         case a.trigger_type when 'for_next_purchase' then 'available' else 'pending' end,
         case a.trigger_type when 'for_next_purchase' then now() end
  from private.gc_credit_awards(new.company_id, new.subtotal - new.discount, new.referrer_id is not null) a;
  return null;
end;
$$;
revoke all on function private.apply_order_credits() from public;

drop trigger if exists apply_order_credits on ledger.publisher_orders;
create trigger apply_order_credits
  after insert on ledger.publisher_orders
  for each row execute function private.apply_order_credits();

-- ============================================================================================
-- Pricing and checks
-- ============================================================================================

-- The order checked against the publisher's data and priced. Raises PT400 with every field issue;
-- otherwise returns the quote: amounts as exact decimal strings, the lines to record, the consumer
-- (null when new), the referrer, the stored card to charge and any earlier duplicate order.
-- `ordered` is the order form as the worker checked it, without card number, CVV or expiry.
create or replace function private.gc_quote(company uuid, ordered jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  issues jsonb := '[]';
  consumer ledger.customers;
  detail record;
  offer ledger.offers;
  option_row ledger.offer_options;
  field text;
  order_currency text;
  unit numeric(14, 2);
  lines jsonb := '[]';
  subtotal numeric := 0;
  ships boolean := false;
  promo record;
  promo_row ledger.promo_codes;
  applied text[] := '{}';
  rest numeric(14, 2);
  card ledger.stored_cards;
  off_platform boolean := coalesce((ordered #>> '{BillingInfo,PaymentCapturedOffSite}')::boolean, false);
  spend_credits boolean := coalesce((ordered #>> '{BillingInfo,SpendCredits}')::boolean, true);
  credit_used numeric(14, 2) := 0;
  referrer uuid;
  pending numeric(14, 2);
  order_fingerprint text;
  duplicate bigint;
begin
  select c.* into consumer from ledger.customers c
  where c.company_id = company and c.user_key = ordered #>> '{ConsumerInfo,UserKey}';
  -- spec: names (and an email unless NoEmail) are required to create a consumer, not to update one.
  if consumer.id is null then
    foreach field in array array['FirstName', 'LastName'] loop
      if ordered -> 'ConsumerInfo' ->> field is null then
        issues := issues || jsonb_build_object('field', 'ConsumerInfo.' || field, 'reason', 'required_for_new_consumer', 'code', 'required');
      end if;
    end loop;
    if ordered #>> '{ConsumerInfo,Email}' is null and not coalesce((ordered #>> '{ConsumerInfo,NoEmail}')::boolean, false) then
      issues := issues || jsonb_build_object('field', 'ConsumerInfo.Email', 'reason', 'email_required_for_new_consumer', 'code', 'required');
    end if;
  end if;

  for detail in
    select d.ordinality - 1 as position, d.value as v
    from jsonb_array_elements(ordered -> 'OrderDetails') with ordinality as d
  loop
    select o.* into offer from ledger.offers o where o.company_id = company and o.number = (detail.v ->> 'OfferId')::integer;
    if offer.id is null then
      issues := issues || jsonb_build_object('field', format('OrderDetails[%s].OfferId', detail.position),
        'reason', 'unknown_offer', 'values', jsonb_build_object('offer', detail.v ->> 'OfferId'));
      continue;
    end if;
    select op.* into option_row from ledger.offer_options op
    where op.offer_id = offer.id and op.number = (detail.v ->> 'OfferOptionId')::integer;
    if option_row.id is null then
      issues := issues || jsonb_build_object('field', format('OrderDetails[%s].OfferOptionId', detail.position),
        'reason', 'unknown_offer_option', 'values', jsonb_build_object('option', detail.v ->> 'OfferOptionId', 'offer', offer.number));
    end if;
    if not exists (select 1 from ledger.offer_segments s where s.offer_id = offer.id and s.segment_key = detail.v ->> 'SegmentKey') then
      issues := issues || jsonb_build_object('field', format('OrderDetails[%s].SegmentKey', detail.position),
        'reason', 'segment_not_sold', 'values', jsonb_build_object('offer', offer.number, 'segment', detail.v ->> 'SegmentKey'));
    end if;
    -- spec: an offer that requires shipping needs the shipping address on its order detail.
    if offer.requires_shipping then
      ships := true;
      foreach field in array array['Address', 'City', 'State', 'Country', 'PostalCode', 'ShippingName'] loop
        if coalesce(detail.v ->> field, '') = '' then
          issues := issues || jsonb_build_object('field', format('OrderDetails[%s].%s', detail.position, field),
            'reason', 'required_for_shipping', 'values', jsonb_build_object('offer', offer.number), 'code', 'required');
        end if;
      end loop;
    end if;
    if order_currency is null then
      order_currency := offer.currency;
    elsif offer.currency <> order_currency then
      issues := issues || jsonb_build_object('field', format('OrderDetails[%s].OfferId', detail.position),
        'reason', 'mixed_currencies', 'values', jsonb_build_object('offer', offer.number, 'currency', offer.currency, 'orderCurrency', order_currency));
    end if;
    if option_row.id is not null then
      unit := case when coalesce((ordered ->> 'UsePromotionalPrice')::boolean, false) and option_row.promotional_price is not null
                   then option_row.promotional_price else option_row.price end;
      subtotal := subtotal + unit * (detail.v ->> 'Quantity')::integer;
      lines := lines || jsonb_build_object(
        'position', detail.position, 'optionId', option_row.id, 'optionNumber', option_row.number,
        'productId', option_row.product_id, 'unitPrice', unit::text, 'quantity', (detail.v ->> 'Quantity')::integer);
    end if;
  end loop;
  if subtotal > 999999999999.99 then
    issues := issues || jsonb_build_object('field', 'OrderDetails', 'reason', 'total_too_large');
  end if;

  if ordered #>> '{BillingInfo,StoredCreditCardId}' is not null then
    select sc.* into card from ledger.stored_cards sc
    where sc.customer_id = consumer.id and sc.id::text = ordered #>> '{BillingInfo,StoredCreditCardId}';
    if card.id is null then
      issues := issues || jsonb_build_object('field', 'BillingInfo.StoredCreditCardId', 'reason', 'unknown_stored_card');
    elsif make_date(card.expiry_year, card.expiry_month, 1) + interval '1 month' <= now() then
      issues := issues || jsonb_build_object('field', 'BillingInfo.StoredCreditCardId', 'reason', 'stored_card_expired');
    end if;
  end if;

  -- spec: promo codes apply in the order given; any invalid code stops the purchase, named.
  rest := least(subtotal, 999999999999.99);
  for promo in select p.value as code from jsonb_array_elements_text(ordered -> 'PromoCodes') as p loop
    select pc.* into promo_row from ledger.promo_codes pc
    where pc.company_id = company and upper(pc.code) = upper(promo.code) and pc.active;
    if promo_row.id is null then
      issues := issues || jsonb_build_object('field', 'PromoCodes', 'reason', 'unknown_promo_code', 'values', jsonb_build_object('code', promo.code));
    elsif promo_row.code = any (applied) then
      issues := issues || jsonb_build_object('field', 'PromoCodes', 'reason', 'repeated_promo_code', 'values', jsonb_build_object('code', promo.code));
    else
      applied := applied || promo_row.code;
      rest := rest - case promo_row.discount_type
                       when 'money' then least(promo_row.amount, rest)
                       else round(rest * promo_row.amount / 100, 2)
                     end;
    end if;
  end loop;

  if jsonb_array_length(issues) > 0 then
    raise exception 'order cannot be placed' using errcode = 'PT400', hint = 'field_issues', detail = issues::text;
  end if;

  -- spec: platform credits are never applied to an off-platform purchase.
  if spend_credits and not off_platform and consumer.id is not null then
    select least(coalesce(sum(c.remaining), 0), rest) into credit_used
    from ledger.consumer_credits c
    where c.customer_id = consumer.id and c.currency = order_currency and c.status = 'available' and c.remaining > 0;
  end if;

  if consumer.id is null and ordered #>> '{ConsumerInfo,ReferredByUserKey}' is distinct from ordered #>> '{ConsumerInfo,UserKey}' then
    select c.id into referrer from ledger.customers c
    where c.company_id = company and c.user_key = ordered #>> '{ConsumerInfo,ReferredByUserKey}';
  end if;
  select coalesce(sum(a.amount), 0) into pending
  from private.gc_credit_awards(company, rest, referrer is not null) a where a.beneficiary = 'consumer';

  select string_agg(format('%s×%s', l.value ->> 'optionNumber', l.value ->> 'quantity'), ',' order by (l.value ->> 'optionNumber')::integer, (l.value ->> 'quantity')::integer)
  into order_fingerprint from jsonb_array_elements(lines) l;
  if consumer.id is not null and not coalesce((ordered ->> 'AllowDuplicatePurchase')::boolean, false) then
    select p.number into duplicate
    from ledger.publisher_orders o join ledger.purchases p on p.id = o.purchase_id
    where o.customer_id = consumer.id and o.fingerprint = order_fingerprint and o.created_at > now() - interval '10 minutes'
    order by o.created_at desc limit 1;
  end if;

  return jsonb_build_object(
    'isoCurrencyCode', order_currency,
    'subtotal', round(subtotal, 2)::text,
    'discount', (subtotal - rest)::numeric(14, 2)::text,
    'orderValue', rest::text,
    'creditValueUsed', credit_used::text,
    'chargeAmount', (rest - credit_used)::numeric(14, 2)::text,
    'pendingCreditValueAwarded', pending::text,
    'duplicateOrderId', duplicate,
    'requiresShipping', ships,
    'promoCodes', to_jsonb(applied),
    'fingerprint', order_fingerprint,
    'consumerId', consumer.id,
    'referrerId', referrer,
    'storedCard', case when card.id is null then null else jsonb_build_object(
      'id', card.id, 'token', card.processor_token, 'brand', card.brand, 'last4', card.last4,
      'expiryMonth', card.expiry_month, 'expiryYear', card.expiry_year) end,
    'lines', lines);
end;
$$;
revoke all on function private.gc_quote(uuid, jsonb) from public;
grant execute on function private.gc_quote(uuid, jsonb) to purchases_api;

-- ============================================================================================
-- Placing
-- ============================================================================================

-- Orders of one consumer are placed one at a time, so duplicate detection and credit spending see
-- each other's results (a consumer placed by a concurrent first order included).
create or replace function private.gc_lock_consumer(company uuid, user_key text)
returns void
language sql
volatile
set search_path = ''
as $$
  select pg_advisory_xact_lock(hashtextextended(company::text || '/' || user_key, 0));
$$;
revoke all on function private.gc_lock_consumer(uuid, text) from public;
grant execute on function private.gc_lock_consumer(uuid, text) to purchases_api;

-- Records a quoted order: the consumer (created, or updated with the names and email given), the
-- purchase and its lines, order details, stored card, the order's own row (whose trigger spends
-- and awards credits), a shipment when something ships, and the emails when SendEmail.
-- `payment`: null, or {transactionId, card?: {token, brand, last4, expiryMonth, expiryYear}}.
create or replace function private.gc_insert_order(company uuid, ordered jsonb, quote jsonb, payment jsonb)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  consumer_id uuid := (quote ->> 'consumerId')::uuid;
  consumer_info jsonb := ordered -> 'ConsumerInfo';
  billing jsonb := ordered -> 'BillingInfo';
  affiliate jsonb := ordered -> 'AffiliateInfo';
  ship_to jsonb;
  purchase ledger.purchases;
  line record;
  detail jsonb;
  item_id uuid;
  card_id uuid := (quote #>> '{storedCard,id}')::uuid;
  awarded numeric(14, 2);
begin
  if consumer_id is null then
    insert into ledger.customers (company_id, user_key, email, first_name, last_name)
    values (company, consumer_info ->> 'UserKey', consumer_info ->> 'Email', consumer_info ->> 'FirstName', consumer_info ->> 'LastName')
    returning id into consumer_id;
  elsif consumer_info ?| array['Email', 'FirstName', 'LastName'] then
    -- spec: names and email supplied for an existing consumer update it.
    update ledger.customers c
    set email = coalesce(consumer_info ->> 'Email', c.email),
        first_name = coalesce(consumer_info ->> 'FirstName', c.first_name),
        last_name = coalesce(consumer_info ->> 'LastName', c.last_name),
        updated_at = now()
    where c.id = consumer_id;
  end if;

  -- The first order detail with an address is where the order ships (a gift's recipient, say).
  select d.value into ship_to from jsonb_array_elements(ordered -> 'OrderDetails') as d
  where coalesce(d.value ->> 'Address', '') <> '' limit 1;

  -- The purchase's amounts add up as every API shows them: total = subtotal − discount, where the
  -- discount is what the buyer did not pay: the promo codes' and the credits spent (each a coupon,
  -- below), so the total is what was charged or captured. The billing address is the consumer's, the shipping address the first detail's; of the
  -- card, only what the processor answered (brand, last four digits).
  insert into ledger.purchases (
    company_id, source, customer_id, currency, subtotal, discount, total, requires_shipping,
    billing_first_name, billing_last_name, billing_street, billing_street2, billing_city, billing_state, billing_zip,
    billing_country_code, billing_card_type, billing_card_last4,
    shipping_first_name, shipping_last_name, shipping_street, shipping_street2, shipping_city, shipping_state, shipping_zip,
    shipping_country_code, shipping_phone)
  select
    company, 'groupcommerce', consumer_id, quote ->> 'isoCurrencyCode', (quote ->> 'subtotal')::numeric,
    (quote ->> 'discount')::numeric + (quote ->> 'creditValueUsed')::numeric,
    (quote ->> 'orderValue')::numeric - (quote ->> 'creditValueUsed')::numeric, (quote ->> 'requiresShipping')::boolean,
    c.first_name, c.last_name, billing ->> 'BillingAddress', billing ->> 'BillingAddress2', billing ->> 'BillingCity',
    billing ->> 'BillingState', billing ->> 'BillingZip',
    case when upper(billing ->> 'BillingCountry') ~ '^[A-Z]{2}$' then upper(billing ->> 'BillingCountry') end,
    coalesce(payment ->> 'cardBrand', sc.brand), coalesce(payment ->> 'cardLast4', sc.last4),
    -- ShippingName is one name: its first word is the first name, the rest the last.
    split_part(ship_to ->> 'ShippingName', ' ', 1), nullif(substr(ship_to ->> 'ShippingName', length(split_part(ship_to ->> 'ShippingName', ' ', 1)) + 2), ''),
    ship_to ->> 'Address', ship_to ->> 'Address2', ship_to ->> 'City', upper(ship_to ->> 'State'), ship_to ->> 'PostalCode',
    upper(ship_to ->> 'Country'), ship_to ->> 'ShippingPhone'
  from ledger.customers c
  left join ledger.stored_cards sc on sc.customer_id = c.id and sc.id::text = billing ->> 'StoredCreditCardId'
  where c.id = consumer_id
  returning * into purchase;

  -- The promo codes applied, in order, are the purchase's coupons, and the credits spent one more.
  insert into ledger.purchase_coupons (purchase_id, company_id, position, name, code, discount_amount, discount_type)
  select purchase.id, company, (applied.ordinality - 1)::smallint, pc.code, pc.code, pc.amount, pc.discount_type
  from jsonb_array_elements_text(quote -> 'promoCodes') with ordinality as applied(code, ordinality)
  join ledger.promo_codes pc on pc.company_id = company and pc.code = applied.code
  union all
  select purchase.id, company, jsonb_array_length(quote -> 'promoCodes')::smallint, 'Credits', 'CREDITS',
         (quote ->> 'creditValueUsed')::numeric, 'money'
  where (quote ->> 'creditValueUsed')::numeric > 0;

  for line in
    select * from jsonb_to_recordset(quote -> 'lines') as l(position integer, "optionId" uuid, "productId" uuid, "unitPrice" numeric, quantity integer)
  loop
    detail := ordered -> 'OrderDetails' -> line.position;
    insert into ledger.purchase_items (purchase_id, company_id, product_id, quantity, unit_price, position)
    values (purchase.id, company, line."productId", line.quantity, line."unitPrice", line.position)
    returning id into item_id;
    insert into ledger.publisher_order_details (
      purchase_item_id, purchase_id, company_id, offer_option_id, segment_key, is_gift,
      recipient_email, recipient_first_name, recipient_last_name, gift_message,
      shipping_name, address, address2, city, state, country, postal_code, shipping_phone)
    values (
      item_id, purchase.id, company, line."optionId", detail ->> 'SegmentKey', coalesce((detail ->> 'IsGift')::boolean, false),
      detail ->> 'EmailAddress', detail ->> 'FirstName', detail ->> 'LastName', detail ->> 'Message',
      detail ->> 'ShippingName', detail ->> 'Address', detail ->> 'Address2', detail ->> 'City',
      upper(detail ->> 'State'), upper(detail ->> 'Country'), detail ->> 'PostalCode', detail ->> 'ShippingPhone');
  end loop;

  if payment -> 'card' is not null and coalesce((billing ->> 'StoreCreditCard')::boolean, false) then
    insert into ledger.stored_cards (company_id, customer_id, processor_token, brand, last4, expiry_month, expiry_year)
    values (company, consumer_id, payment #>> '{card,token}', payment #>> '{card,brand}', payment #>> '{card,last4}',
            (payment #>> '{card,expiryMonth}')::smallint, (payment #>> '{card,expiryYear}')::smallint)
    returning id into card_id;
  end if;

  insert into ledger.publisher_orders (
    purchase_id, company_id, customer_id, referrer_id, fingerprint, subtotal, discount, credit_value_used, charge_amount,
    use_promotional_price, promo_codes, payment, transaction_id, stored_card_id,
    external_amount_charged, external_credit_value_used, external_payment_type, external_transaction_id,
    affiliate_id, affiliate_source, affiliate_started_at, tracking_fields, custom_tracking, send_email)
  values (
    purchase.id, company, consumer_id, (quote ->> 'referrerId')::uuid, quote ->> 'fingerprint',
    (quote ->> 'subtotal')::numeric, (quote ->> 'discount')::numeric, (quote ->> 'creditValueUsed')::numeric, (quote ->> 'chargeAmount')::numeric,
    coalesce((ordered ->> 'UsePromotionalPrice')::boolean, false),
    array(select jsonb_array_elements_text(quote -> 'promoCodes')),
    case
      when coalesce((billing ->> 'PaymentCapturedOffSite')::boolean, false) then 'off_platform'
      when payment is null then 'none'
      when billing ? 'StoredCreditCardId' then 'stored_card'
      else 'new_card'
    end,
    payment ->> 'transactionId', card_id,
    (billing #>> '{ExternalTransactionInformation,AmountCharged}')::numeric,
    (billing #>> '{ExternalTransactionInformation,CreditValueUsed}')::numeric,
    (billing #>> '{ExternalTransactionInformation,PaymentType}')::integer,
    billing #>> '{ExternalTransactionInformation,TransactionId}',
    (affiliate ->> 'AffiliateId')::integer, affiliate ->> 'AffiliateSource',
    to_timestamp((affiliate ->> 'CreateUnixTimestamp')::bigint),
    coalesce(ordered #> '{PurchaseTrackingInfo,AdditionalFields}', '[]'),
    ordered ->> 'CustomTrackingInfo',
    coalesce((ordered ->> 'SendEmail')::boolean, true));

  if purchase.requires_shipping then
    insert into ledger.shipments (company_id, purchase_id) values (company, purchase.id);
  end if;

  -- spec: SendEmail (default true) sends the confirmation, and each gift's notice to its recipient.
  if coalesce((ordered ->> 'SendEmail')::boolean, true) then
    insert into ledger.email_outbox (company_id, purchase_id, to_address, template)
    select company, purchase.id, c.email, 'publisher_order_confirmation'
    from ledger.customers c where c.id = consumer_id and c.email is not null
    union all
    select company, purchase.id, d.value ->> 'EmailAddress', 'publisher_gift_notification'
    from jsonb_array_elements(ordered -> 'OrderDetails') d
    where coalesce((d.value ->> 'IsGift')::boolean, false) and d.value ->> 'EmailAddress' is not null;
  end if;

  select coalesce(sum(cc.amount), 0) into awarded
  from ledger.consumer_credits cc where cc.earned_by = purchase.id and cc.customer_id = consumer_id;
  return jsonb_build_object('orderId', purchase.number, 'pendingCreditValueAwarded', awarded::text);
end;
$$;
revoke all on function private.gc_insert_order(uuid, jsonb, jsonb, jsonb) from public;
grant execute on function private.gc_insert_order(uuid, jsonb, jsonb, jsonb) to purchases_api;

-- What the worker needs of a quote, with the outcome: validated, duplicate, charge_required (the
-- worker charges chargeAmount, then calls gc_place_charged_order) or placed.
create or replace function private.gc_outcome(outcome text, quote jsonb, placed jsonb)
returns json
language sql
immutable
set search_path = ''
as $$
  select (jsonb_build_object('outcome', outcome)
    || (quote - 'lines' - 'consumerId' - 'referrerId' - 'fingerprint' - 'promoCodes' - 'subtotal' - 'discount' - 'orderValue' - 'requiresShipping'
              - case when outcome = 'charge_required' then '' else 'storedCard' end)
    || coalesce(placed, '{}'))::json;
$$;
revoke all on function private.gc_outcome(text, jsonb, jsonb) from public;
grant execute on function private.gc_outcome(text, jsonb, jsonb) to purchases_api;

-- POST /api/v3/publisher/order and /order/validate: spends the request's nonce, checks and prices
-- the order; with `place`, places it when nothing is to be charged (off-platform, or paid in full
-- by promo codes and credits), else answers charge_required. One round trip.
create or replace function public.gc_order(nonce text, signed_at bigint, window_seconds integer, ordered jsonb, place boolean)
returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.oauth_spend_nonce(nonce, signed_at, window_seconds);
  quote jsonb;
begin
  if place then
    perform private.gc_lock_consumer(company, ordered #>> '{ConsumerInfo,UserKey}');
  end if;
  quote := private.gc_quote(company, ordered);
  if quote ->> 'duplicateOrderId' is not null then
    return private.gc_outcome('duplicate', quote, null);
  elsif not place then
    return private.gc_outcome('validated', quote, null);
  elsif coalesce((ordered #>> '{BillingInfo,PaymentCapturedOffSite}')::boolean, false) or (quote ->> 'chargeAmount')::numeric = 0 then
    return private.gc_outcome('placed', quote, private.gc_insert_order(company, ordered, quote, null));
  end if;
  return private.gc_outcome('charge_required', quote, null);
end;
$$;
comment on function public.gc_order(text, bigint, integer, jsonb, boolean) is
  'Group Commerce order: checks, prices and (with place) places an order that needs no charge; spends the nonce.';
revoke all on function public.gc_order(text, bigint, integer, jsonb, boolean) from public, anon, authenticated;
grant execute on function public.gc_order(text, bigint, integer, jsonb, boolean) to purchases_api;

-- The second step of an order paid by card, after the charge: checks and prices the order again
-- under the consumer's lock and places it only if the price is still what was charged (PT409
-- otherwise; the worker refunds the charge when no order is placed).
-- `payment`: {amount, transactionId, card?: {token, brand, last4, expiryMonth, expiryYear}}.
create or replace function public.gc_place_charged_order(ordered jsonb, payment jsonb)
returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  quote jsonb;
begin
  if (select private.request_claims() ->> 'cred_kind') is distinct from 'oauth_consumer' then
    raise exception 'not an OAuth consumer' using errcode = 'PT401', hint = 'invalid_credential';
  end if;
  perform private.gc_lock_consumer(company, ordered #>> '{ConsumerInfo,UserKey}');
  quote := private.gc_quote(company, ordered);
  if quote ->> 'duplicateOrderId' is not null then
    return private.gc_outcome('duplicate', quote, null);
  end if;
  if (quote ->> 'chargeAmount')::numeric <> (payment ->> 'amount')::numeric then
    raise exception 'price changed' using errcode = 'PT409', hint = 'price_changed';
  end if;
  return private.gc_outcome('placed', quote, private.gc_insert_order(company, ordered, quote, payment));
end;
$$;
comment on function public.gc_place_charged_order(jsonb, jsonb) is 'Group Commerce order paid by card: places it after the charge.';
revoke all on function public.gc_place_charged_order(jsonb, jsonb) from public, anon, authenticated;
grant execute on function public.gc_place_charged_order(jsonb, jsonb) to purchases_api;
