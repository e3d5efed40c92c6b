-- Purchases per company, storefront and awaiting shipment, kept by a trigger like the counts per
-- status (ledger.purchase_counts), so DPD's list filtered by storefront_id or ship=1 alone says how
-- many purchases match without counting them: a storefront or the unshipped of a large shop are a
-- tenth of its purchases, and counting 130,000 index entries took 20 ms of the list's 50 ms at a
-- million purchases (npm run bench). The same 16 shards spread concurrent purchases of one
-- company; an update takes its rows in one order (filter, key), so two never deadlock, and the
-- triggers are named to run after the status counts' (triggers run in name order), so every
-- statement takes a status count's row before a filter count's.

create table if not exists ledger.purchase_filter_counts (
  company_id uuid not null references ledger.companies (id) on delete cascade,
  filter text not null check (filter in ('storefront', 'awaiting_shipment')),
  -- The storefront's id; '' for awaiting shipment.
  key text not null,
  shard smallint not null check (shard between 0 and 15),
  n bigint not null default 0,
  primary key (company_id, filter, key, shard)
);
comment on table ledger.purchase_filter_counts is
  'Purchases per company and storefront, and awaiting shipment, in 16 shards; kept by a trigger on purchases.';
alter table ledger.purchase_filter_counts enable row level security;
-- No grant: read only through private.caller_purchase_filter_count().

create or replace function private.count_purchase_filters()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  chosen_shard smallint := floor(random() * 16)::smallint;
  was_storefront text;
  was_awaiting boolean := false;
  now_storefront text;
  now_awaiting boolean := false;
  company uuid;
  change record;
begin
  if tg_op <> 'INSERT' then
    was_storefront := old.storefront_id::text;
    was_awaiting := old.awaiting_shipment;
    company := old.company_id;
  end if;
  if tg_op <> 'DELETE' then
    now_storefront := new.storefront_id::text;
    now_awaiting := new.awaiting_shipment;
    company := new.company_id;
  end if;
  for change in
    select c.filter, c.key, sum(c.delta) as delta
    from (values
      ('storefront', was_storefront, -1), ('storefront', now_storefront, 1),
      ('awaiting_shipment', case when was_awaiting then '' end, -1), ('awaiting_shipment', case when now_awaiting then '' end, 1)
    ) as c (filter, key, delta)
    where c.key is not null
    group by c.filter, c.key
    having sum(c.delta) <> 0
    order by c.filter, c.key
  loop
    insert into ledger.purchase_filter_counts as k (company_id, filter, key, shard, n)
    values (company, change.filter, change.key, chosen_shard, change.delta)
    on conflict (company_id, filter, key, shard) do update set n = k.n + excluded.n;
  end loop;
  return null;
end;
$$;
revoke all on function private.count_purchase_filters() from public;

-- Most purchases have no storefront and ship nothing: their writes do not call the function.
drop trigger if exists purchases_filter_count_insert on ledger.purchases;
create trigger purchases_filter_count_insert
  after insert on ledger.purchases
  for each row when (new.storefront_id is not null or new.awaiting_shipment)
  execute function private.count_purchase_filters();

drop trigger if exists purchases_filter_count_delete on ledger.purchases;
create trigger purchases_filter_count_delete
  after delete on ledger.purchases
  for each row when (old.storefront_id is not null or old.awaiting_shipment)
  execute function private.count_purchase_filters();

drop trigger if exists purchases_filter_count_change on ledger.purchases;
create trigger purchases_filter_count_change
  after update of storefront_id, awaiting_shipment on ledger.purchases
  for each row when (old.storefront_id is distinct from new.storefront_id or old.awaiting_shipment is distinct from new.awaiting_shipment)
  execute function private.count_purchase_filters();

-- The purchases there already.
insert into ledger.purchase_filter_counts (company_id, filter, key, shard, n)
select p.company_id, 'storefront', p.storefront_id::text, 0, count(*)
from ledger.purchases p where p.storefront_id is not null
group by p.company_id, p.storefront_id
on conflict (company_id, filter, key, shard) do update set n = excluded.n;
insert into ledger.purchase_filter_counts (company_id, filter, key, shard, n)
select p.company_id, 'awaiting_shipment', '', 0, count(*)
from ledger.purchases p where p.awaiting_shipment
group by p.company_id
on conflict (company_id, filter, key, shard) do update set n = excluded.n;

-- How many of the calling company's purchases are in `filter`'s `key`.
create or replace function private.caller_purchase_filter_count(filter text, key text)
returns bigint
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(sum(k.n), 0)::bigint from ledger.purchase_filter_counts k
  where k.company_id = (select private.caller_company_id())
    and k.filter = caller_purchase_filter_count.filter and k.key = caller_purchase_filter_count.key;
$$;
revoke all on function private.caller_purchase_filter_count(text, text) from public;
grant execute on function private.caller_purchase_filter_count(text, text) to purchases_api;

-- DPD GET /purchases as before, with the storefront and ship=1 counts read from above.
create or replace function public.dpd_list_purchases(
  page_number integer default 1,
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
  total_comparison text default 'eq',
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
  company uuid := private.require_caller();
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
  -- The total compared is the total DPD shows: a purchase reported without an amount shows 0.00
  -- and compares as 0 (purchases_company_total indexes the same expression).
  if total is not null then
    conditions := conditions || case total_comparison
      when 'ne' then ' and coalesce(p.total, 0) <> $11'
      when 'gt' then ' and coalesce(p.total, 0) > $11'
      when 'lt' then ' and coalesce(p.total, 0) < $11'
      else ' and coalesce(p.total, 0) = $11' end;
  end if;
  if unshipped then conditions := conditions || ' and p.awaiting_shipment'; end if;

  if conditions = '' or conditions = ' and p.status = $2' then
    matched := private.caller_purchase_count(status);
  elsif conditions = ' and p.storefront_id = $4' then
    matched := private.caller_purchase_filter_count('storefront', storefront_uuid::text);
  elsif conditions = ' and p.awaiting_shipment' then
    matched := private.caller_purchase_filter_count('awaiting_shipment', '');
  elsif product_uuid is not null and conditions = ' and p.id in (select i.purchase_id from ledger.purchase_items i where i.product_id = $3)' then
    -- Only the product filter: count and page straight from the items index.
    select count(distinct i.purchase_id) into matched from ledger.purchase_items i where i.product_id = product_uuid;
    select coalesce(json_agg(private.purchase_detail_json(p) order by p.number desc), '[]') into rows
    from ledger.purchases p
    where p.company_id = company and p.number in (
      select distinct i.purchase_number from ledger.purchase_items i
      where i.product_id = product_uuid
      order by i.purchase_number desc offset (page_number - 1) * page_size limit page_size);
    return json_build_object('count', matched, 'purchases', rows);
  else
    execute 'select count(*) from ledger.purchases p where p.company_id = $1' || conditions
      into matched
      using company, status, product_uuid, storefront_uuid, customer_uuid, customer_ids, null::text, null::text,
            created_from, created_to, total;
  end if;
  execute 'select coalesce(json_agg(private.purchase_detail_json(paged.p) order by (paged.p).number desc), ''[]'')
           from (select p from ledger.purchases p where p.company_id = $1' || conditions ||
          ' order by p.number desc offset $12 limit $13) paged'
    into rows
    using company, status, product_uuid, storefront_uuid, customer_uuid, customer_ids, null::text, null::text,
          created_from, created_to, total, (page_number - 1) * page_size, page_size;
  return json_build_object('count', matched, 'purchases', rows);
end;
$$;
