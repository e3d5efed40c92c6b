-- DPD purchases: storefronts, the purchase details DPD reports (buyer notes, billing, card brand
-- and last four digits, processor fee, IP address, marketing opt-in, custom fields, coupons),
-- downloads and product keys per line item, an email outbox, the indexes every list filter
-- needs at a million purchases, and the RPCs to list, get and reactivate.

-- ============================================================================================
-- Tables and columns
-- ============================================================================================

create table if not exists ledger.storefronts (
  id uuid primary key default gen_random_uuid(),
  number bigint generated always as identity unique,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  created_at timestamptz not null default now()
);
comment on table ledger.storefronts is 'Where a company sells; a purchase may name the storefront it came through.';
create index if not exists storefronts_company on ledger.storefronts (company_id);

alter table ledger.purchases
  add column if not exists storefront_id uuid references ledger.storefronts (id) on delete restrict,
  -- DPD's per-purchase hash code.
  add column if not exists salt text not null default replace(gen_random_uuid()::text, '-', ''),
  add column if not exists processor_fee numeric(14, 2) check (processor_fee >= 0),
  add column if not exists customer_notes text check (length(customer_notes) <= 5000),
  add column if not exists shipping_vatin text,
  add column if not exists shipping_business_name text,
  add column if not exists billing_first_name text,
  add column if not exists billing_last_name text,
  add column if not exists billing_street text,
  add column if not exists billing_street2 text,
  add column if not exists billing_city text,
  add column if not exists billing_state text,
  add column if not exists billing_zip text,
  add column if not exists billing_country_code text check (billing_country_code ~ '^[A-Z]{2}$'),
  -- PCI DSS: the card is never stored, only its brand and last four digits.
  add column if not exists billing_card_type text,
  add column if not exists billing_card_last4 text check (billing_card_last4 ~ '^[0-9]{4}$'),
  add column if not exists ip_address inet,
  add column if not exists marketing_optin boolean not null default false;

alter table ledger.purchase_items
  add column if not exists number bigint generated always as identity,
  add column if not exists tax numeric(14, 2) not null default 0 check (tax >= 0),
  add column if not exists discount numeric(14, 2) not null default 0 check (discount >= 0),
  -- Downloads: 0 is unlimited.
  add column if not exists download_limit integer not null default 0 check (download_limit >= 0),
  add column if not exists download_count integer not null default 0 check (download_count >= 0),
  add column if not exists expires_at timestamptz,
  add column if not exists product_keys text[] not null default '{}',
  add column if not exists keys_wanted integer not null default 0 check (keys_wanted >= 0);
create unique index if not exists purchase_items_number on ledger.purchase_items (number);

alter table ledger.products
  add column if not exists download_limit integer not null default 0 check (download_limit >= 0),
  add column if not exists download_days integer check (download_days > 0),
  add column if not exists keys_per_unit integer not null default 0 check (keys_per_unit >= 0);

alter table ledger.customers
  add column if not exists receives_email boolean not null default true;

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
-- Indexes for the list filters (each leads with the company, which RLS always filters on)
-- ============================================================================================

create index if not exists purchases_company_status on ledger.purchases (company_id, status, number desc);
create index if not exists purchases_company_storefront on ledger.purchases (company_id, storefront_id, number desc) where storefront_id is not null;
create index if not exists purchases_company_customer on ledger.purchases (company_id, customer_id, number desc) where customer_id is not null;
create index if not exists purchases_company_created_number on ledger.purchases (company_id, created_at, number);
create index if not exists purchases_company_total on ledger.purchases (company_id, total, number desc);
create index if not exists purchases_company_number_desc on ledger.purchases (company_id, number desc);
create index if not exists purchase_items_product_purchase on ledger.purchase_items (product_id, purchase_id);
create index if not exists shipments_pending on ledger.shipments (company_id, purchase_id) where status = 'pending';
create index if not exists customers_company_email_prefix on ledger.customers (company_id, email_key text_pattern_ops);
create index if not exists customers_company_first_prefix on ledger.customers (company_id, lower(first_name) text_pattern_ops);
create index if not exists customers_company_last_prefix on ledger.customers (company_id, lower(last_name) text_pattern_ops);

-- ============================================================================================
-- Row-level security
-- ============================================================================================

alter table ledger.storefronts enable row level security;
alter table ledger.purchase_custom_fields enable row level security;
alter table ledger.purchase_coupons enable row level security;
alter table ledger.email_outbox enable row level security;

grant select on ledger.storefronts, ledger.purchase_custom_fields, ledger.purchase_coupons to purchases_api;
grant select, insert on ledger.email_outbox to purchases_api;
grant update (download_count, expires_at, product_keys) on ledger.purchase_items to purchases_api;

drop policy if exists "Storefronts are visible to their company" on ledger.storefronts;
create policy "Storefronts are visible to their company" on ledger.storefronts
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Custom fields are visible to their company" on ledger.purchase_custom_fields;
create policy "Custom fields are visible to their company" on ledger.purchase_custom_fields
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Coupons are visible to their company" on ledger.purchase_coupons;
create policy "Coupons are visible to their company" on ledger.purchase_coupons
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Outbox emails are visible to their company" on ledger.email_outbox;
create policy "Outbox emails are visible to their company" on ledger.email_outbox
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Companies queue emails about their own purchases" on ledger.email_outbox;
create policy "Companies queue emails about their own purchases" on ledger.email_outbox
  for insert to purchases_api with check (
    company_id = (select private.caller_company_id())
    and (purchase_id is null or exists (select 1 from ledger.purchases p where p.id = purchase_id))
  );
drop policy if exists "Companies renew the downloads of their own purchases" on ledger.purchase_items;
create policy "Companies renew the downloads of their own purchases" on ledger.purchase_items
  for update to purchases_api
  using (company_id = (select private.caller_company_id()))
  with check (company_id = (select private.caller_company_id()));

-- ============================================================================================
-- Helpers
-- ============================================================================================

-- Everything DPD shows of a purchase, as raw values; the worker maps them to DPD's names and types.
create or replace function private.dpd_purchase_row(p ledger.purchases)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select to_jsonb(p) - 'attributes' || jsonb_build_object(
    'created_epoch', floor(extract(epoch from p.created_at))::bigint,
    'updated_epoch', floor(extract(epoch from p.updated_at))::bigint,
    'storefront_number', (select s.number from ledger.storefronts s where s.id = p.storefront_id),
    'customer', (select jsonb_build_object(
        'number', c.number, 'first_name', c.first_name, 'last_name', c.last_name, 'email', c.email,
        'receives_email', c.receives_email,
        'created_epoch', floor(extract(epoch from c.created_at))::bigint,
        'updated_epoch', floor(extract(epoch from c.updated_at))::bigint)
      from ledger.customers c where c.id = p.customer_id),
    'shipment', (select jsonb_build_object('status', sh.status, 'carrier', sh.carrier, 'tracking_number', sh.tracking_number)
      from ledger.shipments sh where sh.purchase_id = p.id),
    'items', coalesce((select jsonb_agg(jsonb_build_object(
        'number', i.number, 'product_number', pr.number, 'product_name', coalesce(i.name, pr.name),
        'price', i.unit_price, 'quantity', i.quantity, 'tax', i.tax, 'discount', i.discount,
        'subtotal', coalesce(i.unit_price, 0) * i.quantity,
        'download_limit', i.download_limit, 'download_count', i.download_count,
        'expires_epoch', floor(extract(epoch from i.expires_at))::bigint,
        'product_keys', to_jsonb(i.product_keys),
        'has_all_keys', cardinality(i.product_keys) >= i.keys_wanted
      ) order by i.position)
      from ledger.purchase_items i join ledger.products pr on pr.id = i.product_id where i.purchase_id = p.id), '[]'),
    'custom_fields', coalesce((select jsonb_agg(jsonb_build_object('label', f.label, 'response', f.response) order by f.position)
      from ledger.purchase_custom_fields f where f.purchase_id = p.id), '[]'),
    'coupons', coalesce((select jsonb_agg(jsonb_build_object('name', k.name, 'code', k.code,
        'discount_amount', k.discount_amount, 'discount_type', k.discount_type) order by k.position)
      from ledger.purchase_coupons k where k.purchase_id = p.id), '[]')
  );
$$;
revoke all on function private.dpd_purchase_row(ledger.purchases) from public;
grant execute on function private.dpd_purchase_row(ledger.purchases) to purchases_api;

-- ============================================================================================
-- RPCs
-- ============================================================================================

-- The company's purchases that pass every given filter. A plain SQL function, so the planner
-- inlines it into each caller and picks the index for the filters actually given.
create or replace function private.dpd_filtered_purchases(
  company uuid,
  status text,
  product_number bigint,
  storefront_number bigint,
  customer_number bigint,
  email_prefix text,
  first_name_prefix text,
  last_name_prefix text,
  created_from bigint,
  created_to bigint,
  total numeric,
  total_op text,
  unshipped boolean
)
returns setof ledger.purchases
language sql
stable
-- No `set search_path` here: a function with SET clauses is never inlined. Every name is qualified.
as $$
  select p.* from ledger.purchases p
  where p.company_id = company
    and (dpd_filtered_purchases.status is null or p.status = dpd_filtered_purchases.status)
    and (product_number is null or exists (
      select 1 from ledger.purchase_items i join ledger.products pr on pr.id = i.product_id
      where i.purchase_id = p.id and pr.number = product_number and pr.company_id = company))
    and (storefront_number is null or p.storefront_id = (
      select s.id from ledger.storefronts s where s.number = storefront_number and s.company_id = company))
    and (customer_number is null or p.customer_id = (
      select c.id from ledger.customers c where c.number = customer_number and c.company_id = company))
    and (email_prefix is null or p.customer_id in (
      select c.id from ledger.customers c where c.company_id = company and c.email_key like email_prefix || '%'))
    and (first_name_prefix is null or p.customer_id in (
      select c.id from ledger.customers c where c.company_id = company and lower(c.first_name) like first_name_prefix || '%'))
    and (last_name_prefix is null or p.customer_id in (
      select c.id from ledger.customers c where c.company_id = company and lower(c.last_name) like last_name_prefix || '%'))
    and (created_from is null or p.created_at >= to_timestamp(created_from))
    and (created_to is null or p.created_at <= to_timestamp(created_to))
    and (dpd_filtered_purchases.total is null or case total_op
          when 'ne' then p.total is distinct from dpd_filtered_purchases.total
          when 'gt' then p.total > dpd_filtered_purchases.total
          when 'lt' then p.total < dpd_filtered_purchases.total
          else p.total = dpd_filtered_purchases.total end)
    and (not unshipped or (p.requires_shipping and exists (
      select 1 from ledger.shipments sh where sh.purchase_id = p.id and sh.status = 'pending')));
$$;
revoke all on function private.dpd_filtered_purchases(uuid, text, bigint, bigint, bigint, text, text, text, bigint, bigint, numeric, text, boolean) from public;
grant execute on function private.dpd_filtered_purchases(uuid, text, bigint, bigint, bigint, text, text, text, bigint, bigint, numeric, text, boolean) to purchases_api;

-- DPD GET /purchases: every filter combinable, newest first, 100 a page, with the filtered count.
-- Times are UNIX seconds; name filters match case-insensitively from the start (the worker sends
-- them lower-cased, with LIKE's wildcards escaped).
create or replace function public.dpd_list_purchases(
  page integer default 1,
  status text default null,
  product_number bigint default null,
  storefront_number bigint default null,
  customer_number bigint default null,
  email_prefix text default null,
  first_name_prefix text default null,
  last_name_prefix text default null,
  created_from bigint default null,
  created_to bigint default null,
  total numeric default null,
  total_op text default 'eq',
  unshipped boolean default false
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  company uuid := private.require_caller('The username or API password is not valid.');
  page_size constant integer := 100;
  matched bigint;
  rows jsonb;
begin
  select count(*) into matched
  from private.dpd_filtered_purchases(company, status, product_number, storefront_number, customer_number,
    email_prefix, first_name_prefix, last_name_prefix, created_from, created_to, total, total_op, unshipped);
  select coalesce(jsonb_agg(private.dpd_purchase_row(paged.f) order by (paged.f).number desc), '[]') into rows
  from (
    select f from private.dpd_filtered_purchases(company, status, product_number, storefront_number, customer_number,
      email_prefix, first_name_prefix, last_name_prefix, created_from, created_to, total, total_op, unshipped) f
    order by f.number desc
    offset (page - 1) * page_size limit page_size
  ) paged;
  return jsonb_build_object('count', matched, 'purchases', rows);
end;
$$;
comment on function public.dpd_list_purchases(integer, text, bigint, bigint, bigint, text, text, text, bigint, bigint, numeric, text, boolean) is
  'DPD GET /purchases with every filter; newest first, 100 a page; count is of the whole filtered collection.';

-- DPD GET /purchases/:id. Another company's purchase is as unknown as a missing one.
create or replace function public.dpd_get_purchase(purchase_number bigint)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  company uuid := private.require_caller('The username or API password is not valid.');
  found ledger.purchases;
begin
  select p.* into found from ledger.purchases p where p.number = purchase_number and p.company_id = company;
  if found.id is null then
    raise exception 'There is no purchase %.', purchase_number using errcode = 'PT404', hint = 'purchase_not_found';
  end if;
  return private.dpd_purchase_row(found);
end;
$$;
comment on function public.dpd_get_purchase(bigint) is 'DPD GET /purchases/:id.';

-- DPD POST /purchases/:id/reactivate, as the web site does it: the purchase is active again,
-- downloads are renewed (count reset, expiry restarted from now), with `refulfill` each line
-- that delivers keys gets new ones, and the delivery email is queued to `email_to` or the buyer.
create or replace function public.dpd_reactivate_purchase(purchase_number bigint, email_to text default null, refulfill boolean default false)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.require_caller('The username or API password is not valid.');
  found ledger.purchases;
  recipient text;
begin
  select p.* into found from ledger.purchases p where p.number = purchase_number and p.company_id = company;
  if found.id is null then
    raise exception 'There is no purchase %.', purchase_number using errcode = 'PT404', hint = 'purchase_not_found';
  end if;
  update ledger.purchases p set status = 'paid' where p.id = found.id;
  update ledger.purchase_items i set
    download_count = 0,
    expires_at = case when pr.download_days is null then null else now() + make_interval(days => pr.download_days) end,
    product_keys = case when refulfill and i.keys_wanted > 0
      then array(select upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 20)) from generate_series(1, i.keys_wanted))
      else i.product_keys end
  from ledger.products pr
  where i.purchase_id = found.id and pr.id = i.product_id;

  recipient := coalesce(nullif(email_to, ''), (select c.email from ledger.customers c where c.id = found.customer_id));
  if recipient is null then
    raise exception 'The purchase has no email address; give customer_email.' using errcode = 'PT400', hint = 'no_recipient';
  end if;
  insert into ledger.email_outbox (company_id, purchase_id, to_address, template)
  values (company, found.id, recipient, case when refulfill then 'purchase_refulfilled' else 'purchase_reactivated' end);
  return jsonb_build_object('status', 'OK');
end;
$$;
comment on function public.dpd_reactivate_purchase(bigint, text, boolean) is 'DPD POST /purchases/:id/reactivate.';

revoke all on function public.dpd_list_purchases(integer, text, bigint, bigint, bigint, text, text, text, bigint, bigint, numeric, text, boolean) from public, anon, authenticated;
revoke all on function public.dpd_get_purchase(bigint) from public, anon, authenticated;
revoke all on function public.dpd_reactivate_purchase(bigint, text, boolean) from public, anon, authenticated;
grant execute on function public.dpd_list_purchases(integer, text, bigint, bigint, bigint, text, text, text, bigint, bigint, numeric, text, boolean) to purchases_api;
grant execute on function public.dpd_get_purchase(bigint) to purchases_api;
grant execute on function public.dpd_reactivate_purchase(bigint, text, boolean) to purchases_api;
