-- Kit purchases: the RPCs that create (or update, by transaction_id), list and get purchases in
-- Kit's shape, on the ledger's purchases and line items.
--
-- transaction_id rule: Kit records one purchase per transaction_id and account; posting the
-- same transaction_id again updates that purchase (its status, amounts and products) instead of
-- making a second one. The unique index purchases_external_id decides it, so concurrent posts of
-- one transaction_id make exactly one purchase.

-- ============================================================================================
-- Helpers
-- ============================================================================================

-- A purchase in Kit's shape (the reference's response), with what is known of purchases that
-- other APIs reported. json, not jsonb, so the keys keep the reference's order; list and get add
-- subscriber_id as Kit's do.
create or replace function private.kit_purchase_json(p ledger.purchases, with_subscriber boolean)
returns json
language sql
stable
set search_path = ''
as $$
  with buyer as (select c.email, c.number from ledger.customers c where c.id = p.customer_id),
  products as (
    select coalesce(json_agg(json_build_object(
      'quantity', i.quantity,
      'lid', i.line_id,
      'unit_price', i.unit_price,
      'sku', i.sku,
      'name', coalesce(i.name, pr.name),
      'pid', pr.code
    ) order by i.position), '[]') as list
    from ledger.purchase_items i join ledger.products pr on pr.id = i.product_id
    where i.purchase_id = p.id
  )
  select case when with_subscriber then
    json_build_object(
      'id', p.number, 'transaction_id', p.external_id, 'subscriber_id', (select number from buyer),
      'status', p.status, 'email_address', (select email from buyer), 'currency', p.currency,
      'transaction_time', to_char(p.purchased_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
      'subtotal', p.subtotal, 'discount', p.discount, 'tax', p.tax, 'total', p.total,
      'products', (select list from products))
  else
    json_build_object(
      'id', p.number, 'transaction_id', p.external_id,
      'status', p.status, 'email_address', (select email from buyer), 'currency', p.currency,
      'transaction_time', to_char(p.purchased_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
      'subtotal', p.subtotal, 'discount', p.discount, 'tax', p.tax, 'total', p.total,
      'products', (select list from products))
  end;
$$;
revoke all on function private.kit_purchase_json(ledger.purchases, boolean) from public;
grant execute on function private.kit_purchase_json(ledger.purchases, boolean) to purchases_api;

-- ============================================================================================
-- RPCs
-- ============================================================================================

-- Creates the purchase (or updates the one with the same transaction_id), the subscriber for the
-- email address if the account has none, and each product (by pid) the account lacks.
-- Returns { purchase, created }.
create or replace function public.kit_create_purchase(purchase jsonb)
returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  subscriber ledger.customers;
  saved ledger.purchases;
  saved_id uuid;
  was_created boolean;
begin
  insert into ledger.customers as c (company_id, email)
  values (company, purchase ->> 'email_address')
  on conflict (company_id, email_key) where user_key is null do update set updated_at = c.updated_at
  returning * into subscriber;

  -- Products the account does not have yet are made from the line items (first name given wins).
  insert into ledger.products (company_id, code, name)
  select distinct on (i.value ->> 'pid') company, i.value ->> 'pid', coalesce(i.value ->> 'name', i.value ->> 'pid')
  from jsonb_array_elements(purchase -> 'products') with ordinality as i
  order by i.value ->> 'pid', i.ordinality
  on conflict (company_id, code) where code is not null do nothing;

  insert into ledger.purchases as p (
    company_id, source, external_id, customer_id, status, currency, purchased_at,
    subtotal, tax, shipping, discount, total
  ) values (
    company, 'kit', purchase ->> 'transaction_id', subscriber.id, purchase ->> 'status', purchase ->> 'currency',
    coalesce((purchase ->> 'transaction_time')::timestamptz, now()),
    (purchase ->> 'subtotal')::numeric, (purchase ->> 'tax')::numeric, (purchase ->> 'shipping')::numeric,
    (purchase ->> 'discount')::numeric, (purchase ->> 'total')::numeric
  )
  on conflict (company_id, source, external_id) where external_id is not null do update set
    customer_id = excluded.customer_id, status = excluded.status, currency = excluded.currency,
    purchased_at = excluded.purchased_at, subtotal = excluded.subtotal, tax = excluded.tax,
    shipping = excluded.shipping, discount = excluded.discount, total = excluded.total
  -- xmax is 0 on a row this statement inserted, not on one it updated.
  returning p.id, (p.xmax = 0) into saved_id, was_created;
  select p.* into saved from ledger.purchases p where p.id = saved_id;

  if not was_created then
    delete from ledger.purchase_items i where i.purchase_id = saved.id;
  end if;
  insert into ledger.purchase_items (purchase_id, company_id, product_id, quantity, unit_price, position, line_id, sku, name)
  select saved.id, company, pr.id, (i.value ->> 'quantity')::integer, (i.value ->> 'unit_price')::numeric,
         i.ordinality - 1, i.value ->> 'lid', i.value ->> 'sku', i.value ->> 'name'
  from jsonb_array_elements(purchase -> 'products') with ordinality as i
  join ledger.products pr on pr.company_id = company and pr.code = i.value ->> 'pid';

  return json_build_object('purchase', private.kit_purchase_json(saved, false), 'created', was_created);
end;
$$;
comment on function public.kit_create_purchase(jsonb) is 'Kit POST /v4/purchases: create, or update by transaction_id.';

-- One purchase of the account by its Kit id, or 404.
create or replace function public.kit_get_purchase(purchase_number bigint)
returns json
language plpgsql
stable
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  found ledger.purchases;
begin
  select p.* into found from ledger.purchases p where p.number = purchase_number and p.company_id = company;
  if found.id is null then
    raise exception 'purchase not found' using errcode = 'PT404', hint = 'purchase_not_found';
  end if;
  return json_build_object('purchase', private.kit_purchase_json(found, true));
end;
$$;
comment on function public.kit_get_purchase(bigint) is 'Kit GET /v4/purchases/{id}.';

-- A page of the account's purchases, newest (highest id) first as Kit lists them: `after_number`
-- (the end cursor) continues to older ones, `before_number` (the start cursor) goes back to newer
-- ones. Keyset paging on the id, so purchases added meanwhile never shift a page.
create or replace function public.kit_list_purchases(
  page_size integer,
  after_number bigint default null,
  before_number bigint default null,
  with_total_count boolean default false
)
returns json
language plpgsql
stable
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  page json;
  newest bigint;
  oldest bigint;
begin
  with chosen as (
    select p from ledger.purchases p
    where p.company_id = company
      and (after_number is null or p.number < after_number)
      and (before_number is null or p.number > before_number)
    -- Going back, take the page nearest the cursor, then show it newest first like any other.
    order by case when before_number is not null then p.number end asc,
             case when before_number is null then p.number end desc
    limit page_size
  )
  select coalesce(json_agg(private.kit_purchase_json(chosen.p, true) order by (chosen.p).number desc), '[]'),
         max((chosen.p).number), min((chosen.p).number)
  into page, newest, oldest
  from chosen;

  return json_build_object(
    'purchases', page,
    'newest', newest,
    'oldest', oldest,
    'has_previous_page', newest is not null and exists (
      select 1 from ledger.purchases p where p.company_id = company and p.number > newest),
    'has_next_page', oldest is not null and exists (
      select 1 from ledger.purchases p where p.company_id = company and p.number < oldest),
    'total_count', case when with_total_count then (select count(*) from ledger.purchases p where p.company_id = company) end
  );
end;
$$;
comment on function public.kit_list_purchases(integer, bigint, bigint, boolean) is 'Kit GET /v4/purchases, keyset pages in id order.';

revoke all on function public.kit_create_purchase(jsonb) from public, anon, authenticated;
revoke all on function public.kit_get_purchase(bigint) from public, anon, authenticated;
revoke all on function public.kit_list_purchases(integer, bigint, bigint, boolean) from public, anon, authenticated;
grant execute on function public.kit_create_purchase(jsonb) to purchases_api;
grant execute on function public.kit_get_purchase(bigint) to purchases_api;
grant execute on function public.kit_list_purchases(integer, bigint, bigint, boolean) to purchases_api;
