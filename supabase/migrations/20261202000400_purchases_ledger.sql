-- The purchases ledger every API writes to and reads from: the buyers (customers), purchases with
-- every column any API reports, their line items, shipments, account setups, checkout answers,
-- coupons, the email outbox, and the per-company counts DPD's list reads.
--
-- Money is numeric(14,2): exact, up to 999,999,999,999.99.

-- ============================================================================================
-- Tables
-- ============================================================================================

create table if not exists ledger.customers (
  id uuid primary key default gen_random_uuid(),
  -- A short integer id for the APIs whose customer ids are integers.
  number bigint generated always as identity unique,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  email text check (length(email) <= 254),
  -- One customer per email address and company, whatever its case.
  email_key text generated always as (lower(email)) stored,
  first_name text check (length(first_name) <= 200),
  last_name text check (length(last_name) <= 200),
  -- The publisher's own key for a consumer (Group Commerce UserKey): such customers are known by it,
  -- not by their email address, which they may share or change.
  user_key text check (length(user_key) between 1 and 255),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Whether the buyer accepts emails from the company (DPD's receives_email).
  receives_email boolean not null default true
);
comment on table ledger.customers is 'Buyers named by a company''s purchases: one per email address, or per publisher UserKey.';
create unique index if not exists customers_company_email on ledger.customers (company_id, email_key) where user_key is null;
create unique index if not exists customers_company_user_key on ledger.customers (company_id, user_key) where user_key is not null;
-- DPD's name and email filters match from the start, in any case.
create index if not exists customers_company_email_prefix on ledger.customers (company_id, email_key text_pattern_ops);
create index if not exists customers_company_first_prefix on ledger.customers (company_id, lower(first_name) text_pattern_ops);
create index if not exists customers_company_last_prefix on ledger.customers (company_id, lower(last_name) text_pattern_ops);

create table if not exists ledger.purchases (
  id uuid primary key default gen_random_uuid(),
  -- A short integer id for the APIs whose purchase ids are integers.
  number bigint generated always as identity unique,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  -- Which API recorded it: operations, lumen, kit, dpd, groupcommerce.
  source text not null check (source in ('operations', 'lumen', 'kit', 'dpd', 'groupcommerce')),
  lead_id uuid references ledger.leads (id) on delete restrict,
  channel_id uuid references ledger.channels (id) on delete restrict,
  -- Purchases without an amount (Lumen reports none) carry no currency either.
  currency text check (currency ~ '^[A-Z]{3}$'),
  total numeric(14, 2) check (total >= 0),
  purchased_at timestamptz not null default now(),
  description text check (length(description) <= 2000),
  created_at timestamptz not null default now(),
  customer_id uuid references ledger.customers (id) on delete restrict,
  -- The reporting client's own id for the purchase (Lumen partnerPurchaseId, Kit transaction_id).
  external_id text check (length(external_id) between 1 and 255),
  requires_shipping boolean not null default false,
  shipping_first_name text,
  shipping_last_name text,
  shipping_street text,
  shipping_street2 text,
  shipping_city text,
  shipping_state text,
  shipping_zip text,
  shipping_country_code text check (shipping_country_code ~ '^[A-Z]{2}$'),
  shipping_phone text,
  -- What the reporting API carried beyond the ledger's columns, kept as sent.
  attributes jsonb not null default '{}',
  -- One status vocabulary for every API: DPD's codes map onto it one to one.
  status text not null default 'paid'
    check (status in ('paid', 'pending', 'refunded', 'error', 'canceled', 'held')),
  subtotal numeric(14, 2) check (subtotal >= 0),
  tax numeric(14, 2) check (tax >= 0),
  shipping numeric(14, 2) check (shipping >= 0),
  discount numeric(14, 2) check (discount >= 0),
  updated_at timestamptz not null default now(),
  storefront_id uuid references ledger.storefronts (id) on delete restrict,
  -- DPD's per-purchase hash code.
  salt text not null default replace(gen_random_uuid()::text, '-', ''),
  processor_fee numeric(14, 2) check (processor_fee >= 0),
  customer_notes text check (length(customer_notes) <= 5000),
  shipping_vatin text,
  shipping_business_name text,
  billing_first_name text,
  billing_last_name text,
  billing_street text,
  billing_street2 text,
  billing_city text,
  billing_state text,
  billing_zip text,
  billing_country_code text check (billing_country_code ~ '^[A-Z]{2}$'),
  -- PCI DSS: the card is never stored, only its brand and last four digits.
  billing_card_type text,
  billing_card_last4 text check (billing_card_last4 ~ '^[0-9]{4}$'),
  ip_address inet,
  marketing_optin boolean not null default false,
  -- Whether goods still wait to ship, kept by a trigger on the purchase's shipment, so DPD's ship
  -- filter is one partial index instead of a join.
  awaiting_shipment boolean not null default false,
  constraint purchases_amount_has_currency check (total is null or currency is not null)
);
comment on table ledger.purchases is 'Every purchase reported through any of the five APIs, owned by the company that reported it.';
comment on column ledger.purchases.total is 'Amount of the purchase in its currency; null when the reporter gave none.';
comment on column ledger.purchases.external_id is 'The reporting client''s id; unique per company and API.';

create index if not exists purchases_company_created on ledger.purchases (company_id, created_at desc, id desc);
create index if not exists purchases_lead_created on ledger.purchases (lead_id, created_at desc, id desc) where lead_id is not null;
-- Duplicate detection is this constraint, so concurrent duplicates cannot both land.
create unique index if not exists purchases_external_id on ledger.purchases (company_id, source, external_id)
  where external_id is not null;
create index if not exists purchases_customer on ledger.purchases (customer_id) where customer_id is not null;
create index if not exists purchases_company_number on ledger.purchases (company_id, number);
-- DPD's list filters (each leads with the company, which RLS always filters on).
create index if not exists purchases_company_status on ledger.purchases (company_id, status, number desc);
create index if not exists purchases_company_storefront on ledger.purchases (company_id, storefront_id, number desc) where storefront_id is not null;
create index if not exists purchases_company_customer on ledger.purchases (company_id, customer_id, number desc) where customer_id is not null;
create index if not exists purchases_company_created_number on ledger.purchases (company_id, created_at, number);
-- The total as DPD shows and filters it: none is 0.
create index if not exists purchases_company_total on ledger.purchases (company_id, (coalesce(total, 0)), number desc);
create index if not exists purchases_company_number_desc on ledger.purchases (company_id, number desc);
create index if not exists purchases_company_awaiting_shipment on ledger.purchases (company_id, number desc) where awaiting_shipment;

create table if not exists ledger.purchase_items (
  id uuid primary key default gen_random_uuid(),
  purchase_id uuid not null references ledger.purchases (id) on delete cascade,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  product_id uuid not null references ledger.products (id) on delete restrict,
  quantity integer not null default 1 check (quantity >= 1),
  unit_price numeric(14, 2) check (unit_price >= 0),
  position smallint not null default 0,
  -- Kit's line id (lid), sku and name as the client sent them.
  line_id text check (length(line_id) <= 255),
  sku text check (length(sku) <= 255),
  name text check (length(name) <= 500),
  number bigint generated always as identity,
  tax numeric(14, 2) not null default 0 check (tax >= 0),
  discount numeric(14, 2) not null default 0 check (discount >= 0),
  -- Downloads: 0 is unlimited.
  download_limit integer not null default 0 check (download_limit >= 0),
  download_count integer not null default 0 check (download_count >= 0),
  expires_at timestamptz,
  product_keys text[] not null default '{}',
  keys_wanted integer not null default 0 check (keys_wanted >= 0),
  -- The purchase's number, copied by a trigger, so "purchases with this product, newest first" is
  -- read from one index of items instead of joining every matching purchase and sorting.
  purchase_number bigint,
  unique (purchase_id, position)
);
comment on table ledger.purchase_items is 'Line items of a purchase: which products, how many, at what price.';
create index if not exists purchase_items_product on ledger.purchase_items (product_id);
create unique index if not exists purchase_items_number on ledger.purchase_items (number);
create index if not exists purchase_items_product_newest on ledger.purchase_items (product_id, purchase_number desc);
create index if not exists purchase_items_product_purchase on ledger.purchase_items (product_id, purchase_id);

create table if not exists ledger.shipments (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  purchase_id uuid not null unique references ledger.purchases (id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'shipped', 'delivered', 'cancelled')),
  carrier text,
  tracking_number text,
  created_at timestamptz not null default now(),
  shipped_at timestamptz
);
comment on table ledger.shipments is 'Goods to send for a purchase; the address is the purchase''s shipping address.';
create index if not exists shipments_company_status on ledger.shipments (company_id, status);

create table if not exists ledger.account_setups (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  customer_id uuid not null references ledger.customers (id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'completed')),
  created_at timestamptz not null default now(),
  unique (company_id, customer_id)
);
comment on table ledger.account_setups is 'Customers to register for account setup, once each.';

create table if not exists ledger.purchase_custom_fields (
  purchase_id uuid not null references ledger.purchases (id) on delete cascade,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  position smallint not null,
  label text not null,
  response text not null default '',
  primary key (purchase_id, position)
);
comment on table ledger.purchase_custom_fields is 'Checkout questions and the customer''s answers.';

create table if not exists ledger.purchase_coupons (
  purchase_id uuid not null references ledger.purchases (id) on delete cascade,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  position smallint not null,
  name text not null,
  code text not null,
  discount_amount numeric(14, 2) not null check (discount_amount >= 0),
  discount_type text not null check (discount_type in ('money', 'percent')),
  primary key (purchase_id, position)
);
comment on table ledger.purchase_coupons is 'Coupons used on a purchase.';

create table if not exists ledger.email_outbox (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  purchase_id uuid references ledger.purchases (id) on delete cascade,
  to_address text not null,
  template text not null,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
comment on table ledger.email_outbox is 'Emails to send; a sender outside the request path delivers them.';
create index if not exists email_outbox_unsent on ledger.email_outbox (created_at) where sent_at is null;

-- ============================================================================================
-- Triggers
-- ============================================================================================

-- A purchase's facts are fixed once events were computed from them (purchases against a lead);
-- other purchases may be corrected, as Kit's transaction_id rule does.
create or replace function private.protect_purchase_facts()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if (new.company_id, new.source, new.external_id) is distinct from (old.company_id, old.source, old.external_id)
     or (old.lead_id is not null and (new.lead_id, new.channel_id, new.currency, new.total)
         is distinct from (old.lead_id, old.channel_id, old.currency, old.total)) then
    raise exception 'a recorded purchase''s owner, source and id, and the facts its rewards were computed from, cannot change'
      using errcode = 'PT400';
  end if;
  new.updated_at := now();
  return new;
end;
$$;
revoke all on function private.protect_purchase_facts() from public;

drop trigger if exists purchases_protect_facts on ledger.purchases;
create trigger purchases_protect_facts
  before update on ledger.purchases
  for each row execute function private.protect_purchase_facts();

create or replace function private.copy_purchase_number()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  new.purchase_number := (select p.number from ledger.purchases p where p.id = new.purchase_id);
  return new;
end;
$$;
revoke all on function private.copy_purchase_number() from public;

drop trigger if exists purchase_items_copy_number on ledger.purchase_items;
create trigger purchase_items_copy_number
  before insert on ledger.purchase_items
  for each row execute function private.copy_purchase_number();

create or replace function private.mark_awaiting_shipment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update ledger.purchases p set awaiting_shipment = (new.status = 'pending')
  where p.id = new.purchase_id and p.awaiting_shipment is distinct from (new.status = 'pending');
  return null;
end;
$$;
revoke all on function private.mark_awaiting_shipment() from public;

drop trigger if exists shipments_mark_purchase on ledger.shipments;
create trigger shipments_mark_purchase
  after insert or update of status on ledger.shipments
  for each row execute function private.mark_awaiting_shipment();

-- Purchase counts per company and status, kept by a trigger, so the unfiltered list and the
-- status filter can say how many purchases match without counting a million rows. Each count is
-- spread over 16 rows (shards) so concurrent purchases of one company rarely wait on one another.
-- An update counts only when the status really changes, and takes its two rows in one order (by
-- status), so two concurrent changes never each hold the row the other wants next (a deadlock).
create table if not exists ledger.purchase_counts (
  company_id uuid not null references ledger.companies (id) on delete cascade,
  status text not null,
  shard smallint not null check (shard between 0 and 15),
  n bigint not null default 0,
  primary key (company_id, status, shard)
);
comment on table ledger.purchase_counts is 'Purchases per company and status, in 16 shards; kept by a trigger on purchases.';
alter table ledger.purchase_counts enable row level security;
-- No grant: read only through private.caller_purchase_count().

create or replace function private.count_purchases()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  chosen_shard smallint := floor(random() * 16)::smallint;
  change record;
begin
  if tg_op = 'INSERT' then
    insert into ledger.purchase_counts as k (company_id, status, shard, n)
    values (new.company_id, new.status, chosen_shard, 1)
    on conflict (company_id, status, shard) do update set n = k.n + 1;
  elsif tg_op = 'DELETE' then
    insert into ledger.purchase_counts as k (company_id, status, shard, n)
    values (old.company_id, old.status, chosen_shard, -1)
    on conflict (company_id, status, shard) do update set n = k.n - 1;
  else
    for change in
      select v.status, v.delta from (values (old.status, -1), (new.status, 1)) as v (status, delta) order by v.status
    loop
      insert into ledger.purchase_counts as k (company_id, status, shard, n)
      values (new.company_id, change.status, chosen_shard, change.delta)
      on conflict (company_id, status, shard) do update set n = k.n + excluded.n;
    end loop;
  end if;
  return null;
end;
$$;
revoke all on function private.count_purchases() from public;

drop trigger if exists purchases_count on ledger.purchases;
create trigger purchases_count
  after insert or delete on ledger.purchases
  for each row execute function private.count_purchases();

drop trigger if exists purchases_count_status_change on ledger.purchases;
create trigger purchases_count_status_change
  after update of status on ledger.purchases
  for each row when (old.status is distinct from new.status)
  execute function private.count_purchases();

-- How many purchases the calling company has (with this status, when given).
create or replace function private.caller_purchase_count(status text)
returns bigint
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(sum(k.n), 0)::bigint from ledger.purchase_counts k
  where k.company_id = (select private.caller_company_id())
    and (caller_purchase_count.status is null or k.status = caller_purchase_count.status);
$$;
revoke all on function private.caller_purchase_count(text) from public;
grant execute on function private.caller_purchase_count(text) to purchases_api;

-- ============================================================================================
-- Row-level security
-- ============================================================================================

alter table ledger.customers enable row level security;
alter table ledger.purchases enable row level security;
alter table ledger.purchase_items enable row level security;
alter table ledger.shipments enable row level security;
alter table ledger.account_setups enable row level security;
alter table ledger.purchase_custom_fields enable row level security;
alter table ledger.purchase_coupons enable row level security;
alter table ledger.email_outbox enable row level security;

grant select, insert, update on ledger.customers to purchases_api;
grant select, insert on ledger.purchases, ledger.purchase_items to purchases_api;
-- What may be corrected after a purchase was recorded (Kit's transaction_id rule).
grant update (status, currency, total, subtotal, tax, shipping, discount, purchased_at, customer_id, updated_at, attributes)
  on ledger.purchases to purchases_api;
-- Kit replaces a corrected purchase's items; DPD's reactivate renews downloads and keys.
grant delete on ledger.purchase_items to purchases_api;
grant update (download_count, expires_at, product_keys) on ledger.purchase_items to purchases_api;
grant select, insert on ledger.shipments, ledger.account_setups to purchases_api;
grant select on ledger.purchase_custom_fields, ledger.purchase_coupons to purchases_api;
-- Publisher orders record the promo codes they applied as coupons.
grant insert on ledger.purchase_coupons to purchases_api;
grant select, insert on ledger.email_outbox to purchases_api;

drop policy if exists "Customers are visible to their company" on ledger.customers;
create policy "Customers are visible to their company" on ledger.customers
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Companies add their own customers" on ledger.customers;
create policy "Companies add their own customers" on ledger.customers
  for insert to purchases_api with check (company_id = (select private.caller_company_id()));
drop policy if exists "Companies update their own customers" on ledger.customers;
create policy "Companies update their own customers" on ledger.customers
  for update to purchases_api
  using (company_id = (select private.caller_company_id()))
  with check (company_id = (select private.caller_company_id()));

drop policy if exists "Purchases are visible to their company" on ledger.purchases;
create policy "Purchases are visible to their company" on ledger.purchases
  for select to purchases_api
  using (company_id = (select private.caller_company_id()));

-- A company records purchases for itself, against leads of channels it has access to, for
-- customers of its own, naming only a lead it may see and a storefront of its own (checked here
-- even where a worker already checked: defence in depth).
drop policy if exists "Companies record their own purchases against accessible leads" on ledger.purchases;
create policy "Companies record their own purchases against accessible leads" on ledger.purchases
  for insert to purchases_api
  with check (
    company_id = (select private.caller_company_id())
    and (channel_id is null or channel_id = any ((select private.accessible_channel_ids())::uuid[]))
    and (customer_id is null or exists (select 1 from ledger.customers c where c.id = customer_id))
    and (lead_id is null or exists (select 1 from ledger.leads l where l.id = lead_id))
    and (storefront_id is null or exists (select 1 from ledger.storefronts s where s.id = storefront_id))
  );

-- A correction may not move a purchase to another company's lead or storefront either.
drop policy if exists "Companies correct their own purchases" on ledger.purchases;
create policy "Companies correct their own purchases" on ledger.purchases
  for update to purchases_api
  using (company_id = (select private.caller_company_id()))
  with check (
    company_id = (select private.caller_company_id())
    and (lead_id is null or exists (select 1 from ledger.leads l where l.id = lead_id))
    and (storefront_id is null or exists (select 1 from ledger.storefronts s where s.id = storefront_id))
  );

drop policy if exists "Line items are visible to their company" on ledger.purchase_items;
create policy "Line items are visible to their company" on ledger.purchase_items
  for select to purchases_api
  using (company_id = (select private.caller_company_id()));

-- Only the company's own products, on its own purchases.
drop policy if exists "Companies itemise their own purchases with their own products" on ledger.purchase_items;
create policy "Companies itemise their own purchases with their own products" on ledger.purchase_items
  for insert to purchases_api
  with check (
    company_id = (select private.caller_company_id())
    and exists (select 1 from ledger.products p where p.id = product_id)
    and exists (select 1 from ledger.purchases p where p.id = purchase_id)
  );

drop policy if exists "Companies replace the items of their own purchases" on ledger.purchase_items;
create policy "Companies replace the items of their own purchases" on ledger.purchase_items
  for delete to purchases_api
  using (company_id = (select private.caller_company_id()));

drop policy if exists "Companies renew the downloads of their own purchases" on ledger.purchase_items;
create policy "Companies renew the downloads of their own purchases" on ledger.purchase_items
  for update to purchases_api
  using (company_id = (select private.caller_company_id()))
  with check (company_id = (select private.caller_company_id()));

drop policy if exists "Shipments are visible to their company" on ledger.shipments;
create policy "Shipments are visible to their company" on ledger.shipments
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Companies ship their own purchases" on ledger.shipments;
create policy "Companies ship their own purchases" on ledger.shipments
  for insert to purchases_api with check (
    company_id = (select private.caller_company_id())
    and exists (select 1 from ledger.purchases p where p.id = purchase_id)
  );

drop policy if exists "Account setups are visible to their company" on ledger.account_setups;
create policy "Account setups are visible to their company" on ledger.account_setups
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Companies register their own customers" on ledger.account_setups;
create policy "Companies register their own customers" on ledger.account_setups
  for insert to purchases_api with check (
    company_id = (select private.caller_company_id())
    and exists (select 1 from ledger.customers c where c.id = customer_id)
  );

drop policy if exists "Custom fields are visible to their company" on ledger.purchase_custom_fields;
create policy "Custom fields are visible to their company" on ledger.purchase_custom_fields
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Coupons are visible to their company" on ledger.purchase_coupons;
create policy "Coupons are visible to their company" on ledger.purchase_coupons
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Companies record coupons of their own purchases" on ledger.purchase_coupons;
create policy "Companies record coupons of their own purchases" on ledger.purchase_coupons
  for insert to purchases_api with check (
    company_id = (select private.caller_company_id())
    and exists (select 1 from ledger.purchases p where p.id = purchase_id)
  );
drop policy if exists "Outbox emails are visible to their company" on ledger.email_outbox;
create policy "Outbox emails are visible to their company" on ledger.email_outbox
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Companies queue emails about their own purchases" on ledger.email_outbox;
create policy "Companies queue emails about their own purchases" on ledger.email_outbox
  for insert to purchases_api with check (
    company_id = (select private.caller_company_id())
    and (purchase_id is null or exists (select 1 from ledger.purchases p where p.id = purchase_id))
  );
