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
-- * Duplicates: unless duplicates are allowed (the flag's .NET default is that they are not), an
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

-- The order checked against the publisher's data and priced. Raises PT400 with every field issue
-- (named by the order's paths); otherwise returns the quote: amounts as exact decimal strings, the
-- lines to record, the customer (null when new), the referrer, the stored card to charge and any
-- earlier duplicate order.
--
-- `ordered` is the order in the ledger's names, as the worker maps it (no card number, CVV or
-- expiry, which only ever go to the processor):
--   customer        {user_key, email, first_name, last_name, no_email, referred_by_user_key}
--   lines           [{offer_number, option_number, segment_key, quantity, is_gift, recipient_email,
--                     recipient_first_name, recipient_last_name, gift_message, shipping_name,
--                     address, address2, city, state, country, postal_code, shipping_phone}]
--   payment         new_card, stored_card or off_platform; stored_card_id, store_card, spend_credits
--   promo_codes, use_promotional_price, allow_duplicate, send_email
--   the purchase's billing_* and shipping_* address columns, the publisher order's external_*,
--   affiliate_*, tracking_fields and custom_tracking columns.
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
  name text;
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
  off_platform boolean := ordered ->> 'payment' = 'off_platform';
  spend_credits boolean := coalesce((ordered ->> 'spend_credits')::boolean, true);
  credit_used numeric(14, 2) := 0;
  referrer uuid;
  pending numeric(14, 2);
  order_fingerprint text;
  duplicate bigint;
begin
  select c.* into consumer from ledger.customers c
  where c.company_id = company and c.user_key = ordered #>> '{customer,user_key}';
  -- spec: names (and an email unless the publisher says there is none) are required to create a
  -- consumer, not to update one.
  if consumer.id is null then
    foreach name in array array['first_name', 'last_name'] loop
      if ordered -> 'customer' ->> name is null then
        issues := issues || jsonb_build_object('path', 'customer.' || name, 'reason', 'required_for_new_consumer', 'code', 'required');
      end if;
    end loop;
    if ordered #>> '{customer,email}' is null and not coalesce((ordered #>> '{customer,no_email}')::boolean, false) then
      issues := issues || jsonb_build_object('path', 'customer.email', 'reason', 'email_required_for_new_consumer', 'code', 'required');
    end if;
  end if;

  for detail in
    select d.ordinality - 1 as position, d.value as v
    from jsonb_array_elements(ordered -> 'lines') with ordinality as d
  loop
    select o.* into offer from ledger.offers o where o.company_id = company and o.number = (detail.v ->> 'offer_number')::integer;
    if offer.id is null then
      issues := issues || jsonb_build_object('path', format('lines[%s].offer_number', detail.position),
        'reason', 'unknown_offer', 'values', jsonb_build_object('offer', detail.v ->> 'offer_number'));
      continue;
    end if;
    select op.* into option_row from ledger.offer_options op
    where op.offer_id = offer.id and op.number = (detail.v ->> 'option_number')::integer;
    if option_row.id is null then
      issues := issues || jsonb_build_object('path', format('lines[%s].option_number', detail.position),
        'reason', 'unknown_offer_option', 'values', jsonb_build_object('option', detail.v ->> 'option_number', 'offer', offer.number));
    end if;
    if not exists (select 1 from ledger.offer_segments s where s.offer_id = offer.id and s.segment_key = detail.v ->> 'segment_key') then
      issues := issues || jsonb_build_object('path', format('lines[%s].segment_key', detail.position),
        'reason', 'segment_not_sold', 'values', jsonb_build_object('offer', offer.number, 'segment', detail.v ->> 'segment_key'));
    end if;
    -- spec: an offer that requires shipping needs the shipping address on its line.
    if offer.requires_shipping then
      ships := true;
      foreach name in array array['address', 'city', 'state', 'country', 'postal_code', 'shipping_name'] loop
        if coalesce(detail.v ->> name, '') = '' then
          issues := issues || jsonb_build_object('path', format('lines[%s].%s', detail.position, name),
            'reason', 'required_for_shipping', 'values', jsonb_build_object('offer', offer.number), 'code', 'required');
        end if;
      end loop;
    end if;
    if order_currency is null then
      order_currency := offer.currency;
    elsif offer.currency <> order_currency then
      issues := issues || jsonb_build_object('path', format('lines[%s].offer_number', detail.position),
        'reason', 'mixed_currencies', 'values', jsonb_build_object('offer', offer.number, 'currency', offer.currency, 'order_currency', order_currency));
    end if;
    if option_row.id is not null then
      unit := case when coalesce((ordered ->> 'use_promotional_price')::boolean, false) and option_row.promotional_price is not null
                   then option_row.promotional_price else option_row.price end;
      subtotal := subtotal + unit * (detail.v ->> 'quantity')::integer;
      lines := lines || jsonb_build_object(
        'position', detail.position, 'offer_option_id', option_row.id, 'option_number', option_row.number,
        'product_id', option_row.product_id, 'unit_price', unit::text, 'quantity', (detail.v ->> 'quantity')::integer);
    end if;
  end loop;
  if subtotal > 999999999999.99 then
    issues := issues || jsonb_build_object('path', 'lines', 'reason', 'total_too_large');
  end if;

  if ordered ->> 'stored_card_id' is not null then
    select sc.* into card from ledger.stored_cards sc
    where sc.customer_id = consumer.id and sc.id::text = ordered ->> 'stored_card_id';
    if card.id is null then
      issues := issues || jsonb_build_object('path', 'stored_card_id', 'reason', 'unknown_stored_card');
    elsif make_date(card.expiry_year, card.expiry_month, 1) + interval '1 month' <= now() then
      issues := issues || jsonb_build_object('path', 'stored_card_id', 'reason', 'stored_card_expired');
    end if;
  end if;

  -- spec: promo codes apply in the order given; any invalid code stops the purchase, named.
  rest := least(subtotal, 999999999999.99);
  for promo in select p.value as code from jsonb_array_elements_text(ordered -> 'promo_codes') as p loop
    select pc.* into promo_row from ledger.promo_codes pc
    where pc.company_id = company and upper(pc.code) = upper(promo.code) and pc.active;
    if promo_row.id is null then
      issues := issues || jsonb_build_object('path', 'promo_codes', 'reason', 'unknown_promo_code', 'values', jsonb_build_object('code', promo.code));
    elsif promo_row.code = any (applied) then
      issues := issues || jsonb_build_object('path', 'promo_codes', 'reason', 'repeated_promo_code', 'values', jsonb_build_object('code', promo.code));
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

  if consumer.id is null and ordered #>> '{customer,referred_by_user_key}' is distinct from ordered #>> '{customer,user_key}' then
    select c.id into referrer from ledger.customers c
    where c.company_id = company and c.user_key = ordered #>> '{customer,referred_by_user_key}';
  end if;
  select coalesce(sum(a.amount), 0) into pending
  from private.gc_credit_awards(company, rest, referrer is not null) a where a.beneficiary = 'consumer';

  select string_agg(format('%s×%s', l.value ->> 'option_number', l.value ->> 'quantity'), ',' order by (l.value ->> 'option_number')::integer, (l.value ->> 'quantity')::integer)
  into order_fingerprint from jsonb_array_elements(lines) l;
  if consumer.id is not null and not coalesce((ordered ->> 'allow_duplicate')::boolean, false) then
    select p.number into duplicate
    from ledger.publisher_orders o join ledger.purchases p on p.id = o.purchase_id
    where o.customer_id = consumer.id and o.fingerprint = order_fingerprint and o.created_at > now() - interval '10 minutes'
    order by o.created_at desc limit 1;
  end if;

  return jsonb_build_object(
    'currency', order_currency,
    'subtotal', round(subtotal, 2)::text,
    'discount', (subtotal - rest)::numeric(14, 2)::text,
    'total', rest::text,
    'credit_value_used', credit_used::text,
    'charge_amount', (rest - credit_used)::numeric(14, 2)::text,
    'credits_awarded', pending::text,
    'duplicate_number', duplicate,
    'requires_shipping', ships,
    'promo_codes', to_jsonb(applied),
    'fingerprint', order_fingerprint,
    'customer_id', consumer.id,
    'referrer_id', referrer,
    'stored_card', case when card.id is null then null else jsonb_build_object(
      'id', card.id, 'processor_token', card.processor_token, 'brand', card.brand, 'last4', card.last4,
      'expiry_month', card.expiry_month, 'expiry_year', card.expiry_year) end,
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

-- Records a quoted order: the customer (created, or updated with the names and email given), the
-- purchase and its lines, order details, stored card, the order's own row (whose trigger spends
-- and awards credits), a shipment when something ships, and the emails when send_email.
-- `payment`: null, or {transaction_id, billing_card_type, billing_card_last4, card?: the stored
-- card to keep (processor_token, brand, last4, expiry_month, expiry_year)}.
-- Returns the order's number and the credits it awarded the customer.
create or replace function private.gc_insert_order(company uuid, ordered jsonb, quote jsonb, payment jsonb)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  consumer_id uuid := (quote ->> 'customer_id')::uuid;
  buyer ledger.customers := jsonb_populate_record(null::ledger.customers, ordered -> 'customer');
  given ledger.purchases := jsonb_populate_record(null::ledger.purchases, ordered);
  order_row ledger.publisher_orders := jsonb_populate_record(null::ledger.publisher_orders, ordered);
  kept ledger.stored_cards := jsonb_populate_record(null::ledger.stored_cards, payment -> 'card');
  purchase ledger.purchases;
  line record;
  item_id uuid;
  card_id uuid := (quote #>> '{stored_card,id}')::uuid;
  awarded numeric(14, 2);
begin
  if consumer_id is null then
    insert into ledger.customers (company_id, user_key, email, first_name, last_name)
    values (company, buyer.user_key, buyer.email, buyer.first_name, buyer.last_name)
    returning id into consumer_id;
  elsif ordered -> 'customer' ?| array['email', 'first_name', 'last_name'] then
    -- spec: names and email supplied for an existing consumer update it.
    update ledger.customers c
    set email = coalesce(buyer.email, c.email),
        first_name = coalesce(buyer.first_name, c.first_name),
        last_name = coalesce(buyer.last_name, c.last_name),
        updated_at = now()
    where c.id = consumer_id;
  end if;

  -- The purchase's amounts add up as every API shows them: total = subtotal − discount, where the
  -- discount is what the buyer did not pay: the promo codes' and the credits spent (each a coupon,
  -- below), so the total is what was charged or captured. The billing address is the consumer's,
  -- the shipping address the first line's that has one (the worker picks it); of the card, only
  -- what the processor answered (brand, last four digits).
  insert into ledger.purchases (
    company_id, source, customer_id, currency, subtotal, discount, total, requires_shipping,
    billing_first_name, billing_last_name, billing_street, billing_street2, billing_city, billing_state, billing_zip,
    billing_country_code, billing_card_type, billing_card_last4,
    shipping_first_name, shipping_last_name, shipping_street, shipping_street2, shipping_city, shipping_state, shipping_zip,
    shipping_country_code, shipping_phone)
  select
    company, 'groupcommerce', consumer_id, quote ->> 'currency', (quote ->> 'subtotal')::numeric,
    (quote ->> 'discount')::numeric + (quote ->> 'credit_value_used')::numeric,
    (quote ->> 'total')::numeric - (quote ->> 'credit_value_used')::numeric, (quote ->> 'requires_shipping')::boolean,
    c.first_name, c.last_name, given.billing_street, given.billing_street2, given.billing_city, given.billing_state, given.billing_zip,
    given.billing_country_code, coalesce(payment ->> 'billing_card_type', sc.brand), coalesce(payment ->> 'billing_card_last4', sc.last4),
    given.shipping_first_name, given.shipping_last_name, given.shipping_street, given.shipping_street2, given.shipping_city,
    given.shipping_state, given.shipping_zip, given.shipping_country_code, given.shipping_phone
  from ledger.customers c
  left join ledger.stored_cards sc on sc.customer_id = c.id and sc.id::text = ordered ->> 'stored_card_id'
  where c.id = consumer_id
  returning * into purchase;

  -- The promo codes applied, in order, are the purchase's coupons, and the credits spent one more.
  insert into ledger.purchase_coupons (purchase_id, company_id, position, name, code, discount_amount, discount_type)
  select purchase.id, company, (applied.ordinality - 1)::smallint, pc.code, pc.code, pc.amount, pc.discount_type
  from jsonb_array_elements_text(quote -> 'promo_codes') with ordinality as applied(code, ordinality)
  join ledger.promo_codes pc on pc.company_id = company and pc.code = applied.code
  union all
  select purchase.id, company, jsonb_array_length(quote -> 'promo_codes')::smallint, 'Credits', 'CREDITS',
         (quote ->> 'credit_value_used')::numeric, 'money'
  where (quote ->> 'credit_value_used')::numeric > 0;

  for line in
    select priced.*, d.segment_key, d.is_gift, d.recipient_email, d.recipient_first_name, d.recipient_last_name, d.gift_message,
           d.shipping_name, d.address, d.address2, d.city, d.state, d.country, d.postal_code, d.shipping_phone
    from jsonb_to_recordset(quote -> 'lines') as priced(position integer, offer_option_id uuid, product_id uuid, unit_price numeric, quantity integer)
    cross join lateral jsonb_populate_record(null::ledger.publisher_order_details, ordered -> 'lines' -> priced.position) as d
  loop
    insert into ledger.purchase_items (purchase_id, company_id, product_id, quantity, unit_price, position)
    values (purchase.id, company, line.product_id, line.quantity, line.unit_price, line.position)
    returning id into item_id;
    insert into ledger.publisher_order_details (
      purchase_item_id, purchase_id, company_id, offer_option_id, segment_key, is_gift,
      recipient_email, recipient_first_name, recipient_last_name, gift_message,
      shipping_name, address, address2, city, state, country, postal_code, shipping_phone)
    values (
      item_id, purchase.id, company, line.offer_option_id, line.segment_key, coalesce(line.is_gift, false),
      line.recipient_email, line.recipient_first_name, line.recipient_last_name, line.gift_message,
      line.shipping_name, line.address, line.address2, line.city, line.state, line.country, line.postal_code, line.shipping_phone);
  end loop;

  if kept.processor_token is not null and coalesce((ordered ->> 'store_card')::boolean, false) then
    insert into ledger.stored_cards (company_id, customer_id, processor_token, brand, last4, expiry_month, expiry_year)
    values (company, consumer_id, kept.processor_token, kept.brand, kept.last4, kept.expiry_month, kept.expiry_year)
    returning id into card_id;
  end if;

  insert into ledger.publisher_orders (
    purchase_id, company_id, customer_id, referrer_id, fingerprint, subtotal, discount, credit_value_used, charge_amount,
    use_promotional_price, promo_codes, payment, transaction_id, stored_card_id,
    external_amount_charged, external_credit_value_used, external_payment_type, external_transaction_id,
    affiliate_id, affiliate_source, affiliate_started_at, tracking_fields, custom_tracking, send_email)
  values (
    purchase.id, company, consumer_id, (quote ->> 'referrer_id')::uuid, quote ->> 'fingerprint',
    (quote ->> 'subtotal')::numeric, (quote ->> 'discount')::numeric, (quote ->> 'credit_value_used')::numeric, (quote ->> 'charge_amount')::numeric,
    coalesce(order_row.use_promotional_price, false),
    array(select jsonb_array_elements_text(quote -> 'promo_codes')),
    case
      when ordered ->> 'payment' = 'off_platform' then 'off_platform'
      when payment is null then 'none'
      else ordered ->> 'payment'
    end,
    payment ->> 'transaction_id', card_id,
    order_row.external_amount_charged, order_row.external_credit_value_used, order_row.external_payment_type, order_row.external_transaction_id,
    order_row.affiliate_id, order_row.affiliate_source, order_row.affiliate_started_at,
    coalesce(order_row.tracking_fields, '[]'), order_row.custom_tracking, coalesce(order_row.send_email, true));

  if purchase.requires_shipping then
    insert into ledger.shipments (company_id, purchase_id) values (company, purchase.id);
  end if;

  -- spec: sending email (the default) sends the confirmation, and each gift's notice to its recipient.
  if coalesce(order_row.send_email, true) then
    insert into ledger.email_outbox (company_id, purchase_id, to_address, template)
    select company, purchase.id, c.email, 'publisher_order_confirmation'
    from ledger.customers c where c.id = consumer_id and c.email is not null
    union all
    select company, purchase.id, d.value ->> 'recipient_email', 'publisher_gift_notification'
    from jsonb_array_elements(ordered -> 'lines') d
    where coalesce((d.value ->> 'is_gift')::boolean, false) and d.value ->> 'recipient_email' is not null;
  end if;

  select coalesce(sum(cc.amount), 0) into awarded
  from ledger.consumer_credits cc where cc.earned_by = purchase.id and cc.customer_id = consumer_id;
  return jsonb_build_object('number', purchase.number, 'credits_awarded', awarded::text);
end;
$$;
revoke all on function private.gc_insert_order(uuid, jsonb, jsonb, jsonb) from public;
grant execute on function private.gc_insert_order(uuid, jsonb, jsonb, jsonb) to purchases_api;

-- What the worker is told of a quote, with the outcome: validated, duplicate, charge_required (the
-- worker charges charge_amount, then calls gc_place_charged_order), placed, or after a charge
-- price_changed or reconciled. Named field by field: nothing of the quote the worker does not use.
create or replace function private.gc_outcome(outcome text, quote jsonb, placed jsonb)
returns json
language sql
immutable
set search_path = ''
as $$
  select (jsonb_build_object(
      'outcome', outcome, 'currency', quote -> 'currency', 'charge_amount', quote -> 'charge_amount',
      'credit_value_used', quote -> 'credit_value_used', 'credits_awarded', quote -> 'credits_awarded',
      'duplicate_number', quote -> 'duplicate_number')
    || case when outcome = 'charge_required' then jsonb_build_object('stored_card', quote -> 'stored_card') else '{}' end
    || coalesce(placed, '{}'))::json;
$$;
revoke all on function private.gc_outcome(text, jsonb, jsonb) from public;
grant execute on function private.gc_outcome(text, jsonb, jsonb) to purchases_api;

-- public.gc_order and public.gc_place_charged_order, which call these, are defined with the charge
-- attempts they keep (20261202001700_publisher_charge_attempts.sql).
