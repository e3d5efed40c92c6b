-- Kit purchases: the RPCs that create (or update, by the client's id), list and get purchases,
-- on the ledger's purchases and line items, answered in the ledger's names.
--
-- One purchase per client id (external_id) and account: posting the same id again updates that
-- purchase (its status, amounts and lines) instead of making a second one. The unique index
-- purchases_external_id decides it, so concurrent posts of one id make exactly one purchase.

-- ============================================================================================
-- Helpers
-- ============================================================================================

-- A purchase with its buyer and lines, in the ledger's names (the worker words it as Kit does),
-- with what is known of purchases that other APIs reported.
create or replace function private.purchase_with_lines_json(p ledger.purchases)
returns json
language sql
stable
set search_path = ''
as $$
  select json_build_object(
    'number', p.number, 'external_id', p.external_id, 'status', p.status, 'currency', p.currency,
    'purchased_at', p.purchased_at, 'subtotal', p.subtotal, 'discount', p.discount, 'tax', p.tax, 'total', p.total,
    'customer', (select json_build_object('number', c.number, 'email', c.email) from ledger.customers c where c.id = p.customer_id),
    'lines', coalesce((select json_agg(json_build_object(
        'quantity', i.quantity, 'line_id', i.line_id, 'unit_price', i.unit_price, 'sku', i.sku,
        'name', coalesce(i.name, pr.name), 'product_code', pr.code
      ) order by i.position)
      from ledger.purchase_items i join ledger.products pr on pr.id = i.product_id
      where i.purchase_id = p.id), '[]'));
$$;
revoke all on function private.purchase_with_lines_json(ledger.purchases) from public;
grant execute on function private.purchase_with_lines_json(ledger.purchases) to purchases_api;

-- The calling company's purchase with this number (the short id Kit and DPD show), or PT404
-- purchase_not_found naming it: another company's purchase is as unknown as a missing one.
create or replace function private.caller_purchase(purchase_number bigint)
returns ledger.purchases
language plpgsql
stable
set search_path = ''
as $$
declare
  found ledger.purchases;
begin
  select p.* into found from ledger.purchases p
  where p.number = purchase_number and p.company_id = (select private.caller_company_id());
  if found.id is null then
    raise exception 'purchase not found' using errcode = 'PT404', hint = 'purchase_not_found',
      detail = jsonb_build_object('purchase', purchase_number)::text;
  end if;
  return found;
end;
$$;
revoke all on function private.caller_purchase(bigint) from public;
grant execute on function private.caller_purchase(bigint) to purchases_api;

-- ============================================================================================
-- RPCs
-- ============================================================================================

-- Creates the purchase (or updates the one with the same external id), the customer for the
-- email address if the account has none, and each product (by code) the account lacks. `purchase`
-- is in the ledger's names (shared/ledger): external_id, status, currency, purchased_at, the
-- amounts, customer.email and lines (product_code, name, line_id, quantity, unit_price, sku).
-- Returns { purchase, created }.
create or replace function public.kit_create_purchase(purchase jsonb)
returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  buyer ledger.customers;
  saved ledger.purchases;
  saved_id uuid;
  was_created boolean;
begin
  insert into ledger.customers as c (company_id, email)
  values (company, purchase #>> '{customer,email}')
  on conflict (company_id, email_key) where user_key is null do update set updated_at = c.updated_at
  returning * into buyer;

  -- Products the account does not have yet are made from the line items (first name given wins).
  insert into ledger.products (company_id, code, name)
  select distinct on (i.value ->> 'product_code') company, i.value ->> 'product_code', coalesce(i.value ->> 'name', i.value ->> 'product_code')
  from jsonb_array_elements(purchase -> 'lines') with ordinality as i
  order by i.value ->> 'product_code', i.ordinality
  on conflict (company_id, code) where code is not null do nothing;

  insert into ledger.purchases as p (
    company_id, source, external_id, customer_id, status, currency, purchased_at,
    subtotal, tax, shipping, discount, total
  ) values (
    company, 'kit', purchase ->> 'external_id', buyer.id, purchase ->> 'status', purchase ->> 'currency',
    coalesce((purchase ->> 'purchased_at')::timestamptz, now()),
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
         i.ordinality - 1, i.value ->> 'line_id', i.value ->> 'sku', i.value ->> 'name'
  from jsonb_array_elements(purchase -> 'lines') with ordinality as i
  join ledger.products pr on pr.company_id = company and pr.code = i.value ->> 'product_code';

  return json_build_object('purchase', private.purchase_with_lines_json(saved), 'created', was_created);
end;
$$;
comment on function public.kit_create_purchase(jsonb) is 'Kit POST /v4/purchases: create, or update by the client''s id for the purchase.';

-- One purchase of the account by its Kit id, or 404.
create or replace function public.kit_get_purchase(purchase_number bigint)
returns json
language plpgsql
stable
set search_path = ''
as $$
begin
  perform private.require_caller();
  return json_build_object('purchase', private.purchase_with_lines_json(private.caller_purchase(purchase_number)));
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
  with_count boolean default false
)
returns json
language plpgsql
stable
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  listed json;
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
  select coalesce(json_agg(private.purchase_with_lines_json(chosen.p) order by (chosen.p).number desc), '[]'),
         max((chosen.p).number), min((chosen.p).number)
  into listed, newest, oldest
  from chosen;

  return json_build_object(
    'purchases', listed,
    'newest', newest,
    'oldest', oldest,
    'has_newer', newest is not null and exists (
      select 1 from ledger.purchases p where p.company_id = company and p.number > newest),
    'has_older', oldest is not null and exists (
      select 1 from ledger.purchases p where p.company_id = company and p.number < oldest),
    'count', case when with_count then (select count(*) from ledger.purchases p where p.company_id = company) end
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
