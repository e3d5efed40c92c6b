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

-- The purchase's number on each of its items, so "purchases with this product, newest first" is
-- read from one index of items instead of joining every matching purchase and sorting.
alter table ledger.purchase_items add column if not exists purchase_number bigint;
update ledger.purchase_items i set purchase_number = p.number from ledger.purchases p where p.id = i.purchase_id and i.purchase_number is null;

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

create index if not exists purchase_items_product_newest on ledger.purchase_items (product_id, purchase_number desc);

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

-- Whether a purchase still has goods to ship, kept on the purchase by a trigger on its shipment,
-- so DPD's `ship` filter is one partial index instead of a join.
alter table ledger.purchases add column if not exists awaiting_shipment boolean not null default false;

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

update ledger.purchases p set awaiting_shipment = true
where exists (select 1 from ledger.shipments sh where sh.purchase_id = p.id and sh.status = 'pending');

-- Purchase counts per company and status, kept by a trigger, so the unfiltered list and the
-- status filter can say how many purchases match without counting a million rows. Each count is
-- spread over 16 rows (shards) so concurrent purchases of one company rarely wait on one another.
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
begin
  if tg_op in ('DELETE', 'UPDATE') then
    insert into ledger.purchase_counts as k (company_id, status, shard, n)
    values (old.company_id, old.status, floor(random() * 16)::smallint, -1)
    on conflict (company_id, status, shard) do update set n = k.n - 1;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into ledger.purchase_counts as k (company_id, status, shard, n)
    values (new.company_id, new.status, floor(random() * 16)::smallint, 1)
    on conflict (company_id, status, shard) do update set n = k.n + 1;
  end if;
  return null;
end;
$$;
revoke all on function private.count_purchases() from public;

drop trigger if exists purchases_count on ledger.purchases;
create trigger purchases_count
  after insert or delete or update of status on ledger.purchases
  for each row execute function private.count_purchases();

-- Purchases reported before this migration.
insert into ledger.purchase_counts (company_id, status, shard, n)
select company_id, status, 0, count(*) from ledger.purchases group by company_id, status
on conflict (company_id, status, shard) do update set n = excluded.n;

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
-- Indexes for the list filters (each leads with the company, which RLS always filters on)
-- ============================================================================================

create index if not exists purchases_company_status on ledger.purchases (company_id, status, number desc);
create index if not exists purchases_company_storefront on ledger.purchases (company_id, storefront_id, number desc) where storefront_id is not null;
create index if not exists purchases_company_customer on ledger.purchases (company_id, customer_id, number desc) where customer_id is not null;
create index if not exists purchases_company_created_number on ledger.purchases (company_id, created_at, number);
create index if not exists purchases_company_total on ledger.purchases (company_id, total, number desc);
create index if not exists purchases_company_number_desc on ledger.purchases (company_id, number desc);
create index if not exists purchase_items_product_purchase on ledger.purchase_items (product_id, purchase_id);
create index if not exists purchases_company_awaiting_shipment on ledger.purchases (company_id, number desc) where awaiting_shipment;
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

-- Everything DPD shows of a purchase, as raw values; the worker maps them to DPD's names and
-- types. json, not jsonb: built for one answer and never queried, and json builds several times
-- faster, which a page of 100 purchases feels.
create or replace function private.dpd_purchase_row(p ledger.purchases)
returns json
language sql
stable
set search_path = ''
as $$
  select json_build_object(
    'purchase', row_to_json(p),
    'created_epoch', floor(extract(epoch from p.created_at))::bigint,
    'updated_epoch', floor(extract(epoch from p.updated_at))::bigint,
    'storefront_number', (select s.number from ledger.storefronts s where s.id = p.storefront_id),
    'customer', (select json_build_object(
        'number', c.number, 'first_name', c.first_name, 'last_name', c.last_name, 'email', c.email,
        'receives_email', c.receives_email,
        'created_epoch', floor(extract(epoch from c.created_at))::bigint,
        'updated_epoch', floor(extract(epoch from c.updated_at))::bigint)
      from ledger.customers c where c.id = p.customer_id),
    'shipment', (select json_build_object('status', sh.status, 'carrier', sh.carrier, 'tracking_number', sh.tracking_number)
      from ledger.shipments sh where sh.purchase_id = p.id),
    'items', coalesce((select json_agg(json_build_object(
        'number', i.number, 'product_number', pr.number, 'product_name', coalesce(i.name, pr.name),
        'price', i.unit_price, 'quantity', i.quantity, 'tax', i.tax, 'discount', i.discount,
        'subtotal', coalesce(i.unit_price, 0) * i.quantity,
        'download_limit', i.download_limit, 'download_count', i.download_count,
        'expires_epoch', floor(extract(epoch from i.expires_at))::bigint,
        'product_keys', i.product_keys,
        'has_all_keys', cardinality(i.product_keys) >= i.keys_wanted
      ) order by i.position)
      from ledger.purchase_items i join ledger.products pr on pr.id = i.product_id where i.purchase_id = p.id), '[]'),
    'custom_fields', coalesce((select json_agg(json_build_object('label', f.label, 'response', f.response) order by f.position)
      from ledger.purchase_custom_fields f where f.purchase_id = p.id), '[]'),
    'coupons', coalesce((select json_agg(json_build_object('name', k.name, 'code', k.code,
        'discount_amount', k.discount_amount, 'discount_type', k.discount_type) order by k.position)
      from ledger.purchase_coupons k where k.purchase_id = p.id), '[]')
  );
$$;
revoke all on function private.dpd_purchase_row(ledger.purchases) from public;
grant execute on function private.dpd_purchase_row(ledger.purchases) to purchases_api;

-- ============================================================================================
-- RPCs
-- ============================================================================================

-- DPD GET /purchases: every filter combinable, newest first, 100 a page, with the filtered count.
-- Times are UNIX seconds; name filters match case-insensitively from the start (the worker sends
-- them lower-cased, with LIKE's wildcards escaped).
--
-- The statement is assembled from the filters actually given and planned with their values
-- (EXECUTE ... USING), so each combination gets the index that serves it; a single static
-- statement with "param is null or ..." for every filter would get one plan that serves none.
-- Only fixed SQL text is concatenated; every value travels as a parameter.
--
-- Security definer, scoped by hand: under RLS, Postgres may not push a filter whose operator is
-- not leakproof (numeric comparison, LIKE) below the policy, so the total and name filters could
-- not use their indexes and would scan the table. This function therefore reads as the owner
-- and confines every statement to the caller's company, taken from the request's credential
-- exactly as the policies take it; the worker has no say in which company that is.
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
returns json
language plpgsql
stable
security definer
set search_path = ''
-- Index lookups cost what they cost on SSDs (Supabase's own setting), not the spinning-disk default.
set random_page_cost = 1.1
as $$
declare
  company uuid := private.require_caller('The username or API password is not valid.');
  page_size constant integer := 100;
  conditions text := '';
  matched bigint;
  rows json;
  product_uuid uuid;
  storefront_uuid uuid;
  customer_uuid uuid;
  customer_ids uuid[];
begin
  -- Integer ids become the rows' own ids first, so the planner sees real values.
  if product_number is not null then
    select pr.id into product_uuid from ledger.products pr where pr.company_id = company and pr.number = product_number;
    conditions := conditions || ' and p.id in (select i.purchase_id from ledger.purchase_items i where i.product_id = $3)';
  end if;
  if storefront_number is not null then
    select s.id into storefront_uuid from ledger.storefronts s where s.company_id = company and s.number = storefront_number;
    conditions := conditions || ' and p.storefront_id = $4';
  end if;
  if customer_number is not null then
    select c.id into customer_uuid from ledger.customers c where c.company_id = company and c.number = customer_number;
    conditions := conditions || ' and p.customer_id = $5';
  end if;
  if status is not null then conditions := conditions || ' and p.status = $2'; end if;
  -- Name and email filters pick customers first (prefix indexes), then their purchases by the
  -- (company, customer, number) index; walking purchases newest first to test each buyer would
  -- read the whole table when the buyers are rare.
  if email_prefix is not null or first_name_prefix is not null or last_name_prefix is not null then
    select coalesce(array_agg(c.id), '{}') into customer_ids
    from ledger.customers c
    where c.company_id = company
      and (email_prefix is null or c.email_key like email_prefix || '%')
      and (first_name_prefix is null or lower(c.first_name) like first_name_prefix || '%')
      and (last_name_prefix is null or lower(c.last_name) like last_name_prefix || '%');
    conditions := conditions || ' and p.customer_id = any ($6)';
  end if;
  if created_from is not null then conditions := conditions || ' and p.created_at >= to_timestamp($9)'; end if;
  if created_to is not null then conditions := conditions || ' and p.created_at <= to_timestamp($10)'; end if;
  if total is not null then
    conditions := conditions || case total_op
      when 'ne' then ' and p.total is distinct from $11'
      when 'gt' then ' and p.total > $11'
      when 'lt' then ' and p.total < $11'
      else ' and p.total = $11' end;
  end if;
  if unshipped then conditions := conditions || ' and p.awaiting_shipment'; end if;

  if conditions = '' or conditions = ' and p.status = $2' then
    matched := private.caller_purchase_count(status);
  elsif product_uuid is not null and conditions = ' and p.id in (select i.purchase_id from ledger.purchase_items i where i.product_id = $3)' then
    -- Only the product filter: count and page straight from the items index.
    select count(distinct i.purchase_id) into matched from ledger.purchase_items i where i.product_id = product_uuid;
    select coalesce(json_agg(private.dpd_purchase_row(p) order by p.number desc), '[]') into rows
    from ledger.purchases p
    where p.company_id = company and p.number in (
      select distinct i.purchase_number from ledger.purchase_items i
      where i.product_id = product_uuid
      order by i.purchase_number desc offset (page - 1) * page_size limit page_size);
    return json_build_object('count', matched, 'purchases', rows);
  else
    execute 'select count(*) from ledger.purchases p where p.company_id = $1' || conditions
      into matched
      using company, status, product_uuid, storefront_uuid, customer_uuid, customer_ids, null::text, null::text,
            created_from, created_to, total;
  end if;
  execute 'select coalesce(json_agg(private.dpd_purchase_row(paged.p) order by (paged.p).number desc), ''[]'')
           from (select p from ledger.purchases p where p.company_id = $1' || conditions ||
          ' order by p.number desc offset $12 limit $13) paged'
    into rows
    using company, status, product_uuid, storefront_uuid, customer_uuid, customer_ids, null::text, null::text,
          created_from, created_to, total, (page - 1) * page_size, page_size;
  return json_build_object('count', matched, 'purchases', rows);
end;
$$;
comment on function public.dpd_list_purchases(integer, text, bigint, bigint, bigint, text, text, text, bigint, bigint, numeric, text, boolean) is
  'DPD GET /purchases with every filter; newest first, 100 a page; count is of the whole filtered collection.';

-- DPD GET /purchases/:id. Another company's purchase is as unknown as a missing one.
create or replace function public.dpd_get_purchase(purchase_number bigint)
returns json
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
