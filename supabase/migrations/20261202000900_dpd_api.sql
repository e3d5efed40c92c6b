-- DPD purchases: a purchase with every detail DPD reports, and the RPCs to list (every filter,
-- on the indexes the purchases ledger keeps for them), get and reactivate.

-- ============================================================================================
-- Helpers
-- ============================================================================================

-- A purchase with every detail the ledger keeps of it, in the ledger's names: its columns, its
-- storefront's number, customer, lines (each with its product's number and name), shipment, custom
-- fields and coupons. The worker words it as its API does. json, not jsonb: built for one answer
-- and never queried, and json builds several times faster, which a page of 100 purchases feels.
create or replace function private.purchase_detail_json(p ledger.purchases)
returns json
language sql
stable
set search_path = ''
as $$
  select json_build_object(
    'number', p.number, 'created_at', p.created_at, 'updated_at', p.updated_at, 'salt', p.salt,
    'status', p.status, 'currency', p.currency, 'subtotal', p.subtotal, 'discount', p.discount,
    'tax', p.tax, 'shipping', p.shipping, 'total', p.total, 'processor_fee', p.processor_fee,
    'customer_notes', p.customer_notes, 'requires_shipping', p.requires_shipping,
    'shipping_first_name', p.shipping_first_name, 'shipping_last_name', p.shipping_last_name,
    'shipping_street', p.shipping_street, 'shipping_street2', p.shipping_street2,
    'shipping_city', p.shipping_city, 'shipping_state', p.shipping_state, 'shipping_zip', p.shipping_zip,
    'shipping_country_code', p.shipping_country_code, 'shipping_phone', p.shipping_phone,
    'shipping_vatin', p.shipping_vatin, 'shipping_business_name', p.shipping_business_name,
    'billing_first_name', p.billing_first_name, 'billing_last_name', p.billing_last_name,
    'billing_street', p.billing_street, 'billing_street2', p.billing_street2,
    'billing_city', p.billing_city, 'billing_state', p.billing_state, 'billing_zip', p.billing_zip,
    'billing_country_code', p.billing_country_code, 'billing_card_type', p.billing_card_type,
    'billing_card_last4', p.billing_card_last4, 'ip_address', p.ip_address, 'marketing_optin', p.marketing_optin,
    'storefront_number', (select s.number from ledger.storefronts s where s.id = p.storefront_id),
    'customer', (select json_build_object(
        'number', c.number, 'first_name', c.first_name, 'last_name', c.last_name, 'email', c.email,
        'receives_email', c.receives_email, 'created_at', c.created_at, 'updated_at', c.updated_at)
      from ledger.customers c where c.id = p.customer_id),
    'shipment', (select json_build_object('status', sh.status, 'carrier', sh.carrier, 'tracking_number', sh.tracking_number)
      from ledger.shipments sh where sh.purchase_id = p.id),
    'lines', coalesce((select json_agg(json_build_object(
        'number', i.number, 'product_number', pr.number, 'name', coalesce(i.name, pr.name),
        'unit_price', i.unit_price, 'quantity', i.quantity, 'tax', i.tax, 'discount', i.discount,
        'download_limit', i.download_limit, 'download_count', i.download_count, 'expires_at', i.expires_at,
        'product_keys', i.product_keys, 'keys_wanted', i.keys_wanted
      ) order by i.position)
      from ledger.purchase_items i join ledger.products pr on pr.id = i.product_id where i.purchase_id = p.id), '[]'),
    'custom_fields', coalesce((select json_agg(json_build_object('label', f.label, 'response', f.response) order by f.position)
      from ledger.purchase_custom_fields f where f.purchase_id = p.id), '[]'),
    'coupons', coalesce((select json_agg(json_build_object('name', k.name, 'code', k.code,
        'discount_amount', k.discount_amount, 'discount_type', k.discount_type) order by k.position)
      from ledger.purchase_coupons k where k.purchase_id = p.id), '[]')
  );
$$;
revoke all on function private.purchase_detail_json(ledger.purchases) from public;
grant execute on function private.purchase_detail_json(ledger.purchases) to purchases_api;

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
comment on function public.dpd_list_purchases(integer, text, bigint, bigint, bigint, text, text, text, bigint, bigint, numeric, text, boolean) is
  'DPD GET /purchases with every filter; newest first, 100 a page; count is of the whole filtered collection.';

-- DPD GET /purchases/:id. Another company's purchase is as unknown as a missing one.
create or replace function public.dpd_get_purchase(purchase_number bigint)
returns json
language plpgsql
stable
set search_path = ''
as $$
begin
  perform private.require_caller();
  return private.purchase_detail_json(private.caller_purchase(purchase_number));
end;
$$;
comment on function public.dpd_get_purchase(bigint) is 'DPD GET /purchases/:id.';

-- DPD POST /purchases/:id/reactivate, as the web site does it: the purchase is active again,
-- downloads are renewed (count reset, expiry restarted from now), with `renew_keys` each line that
-- delivers keys gets new ones, the delivery email is queued to `email_to` or the buyer, and the
-- purchase.reactivated event is recorded (private.record_purchase_event, deliveries).
create or replace function public.dpd_reactivate_purchase(purchase_number bigint, email_to text default null, renew_keys boolean default false)
returns void
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  found ledger.purchases := private.caller_purchase(purchase_number);
  recipient text;
begin
  update ledger.purchases p set status = 'paid' where p.id = found.id;
  update ledger.purchase_items i set
    download_count = 0,
    expires_at = case when pr.download_days is null then null else now() + make_interval(days => pr.download_days) end,
    product_keys = case when renew_keys and i.keys_wanted > 0
      then array(select upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 20)) from generate_series(1, i.keys_wanted))
      else i.product_keys end
  from ledger.products pr
  where i.purchase_id = found.id and pr.id = i.product_id;

  recipient := coalesce(nullif(email_to, ''), (select c.email from ledger.customers c where c.id = found.customer_id));
  if recipient is null then
    raise exception 'no recipient' using errcode = 'PT400', hint = 'no_recipient';
  end if;
  insert into ledger.email_outbox (company_id, purchase_id, to_address, template)
  values (company, found.id, recipient, case when renew_keys then 'purchase_refulfilled' else 'purchase_reactivated' end);
  perform private.record_purchase_event(found.id, 'purchase.reactivated',
    jsonb_build_object('refulfilled', renew_keys, 'sent_to', recipient));
end;
$$;
comment on function public.dpd_reactivate_purchase(bigint, text, boolean) is 'DPD POST /purchases/:id/reactivate.';

revoke all on function public.dpd_list_purchases(integer, text, bigint, bigint, bigint, text, text, text, bigint, bigint, numeric, text, boolean) from public, anon, authenticated;
revoke all on function public.dpd_get_purchase(bigint) from public, anon, authenticated;
revoke all on function public.dpd_reactivate_purchase(bigint, text, boolean) from public, anon, authenticated;
grant execute on function public.dpd_list_purchases(integer, text, bigint, bigint, bigint, text, text, text, bigint, bigint, numeric, text, boolean) to purchases_api;
grant execute on function public.dpd_get_purchase(bigint) to purchases_api;
grant execute on function public.dpd_reactivate_purchase(bigint, text, boolean) to purchases_api;
