-- What leaves the platform: emails (the outbox the DPD and publisher RPCs write to) and signed
-- webhooks for the one ledger. Both are written in the transaction of the change that causes them
-- and relayed at least once by the delivery worker (functions/delivery), which reads and settles
-- them through the relay_* RPCs below as the purchases_relay role.
--
-- A message is pending until it is delivered or dead-lettered. The relay leases a pending message
-- before handing it to its queue; a lease that runs out (a relay that died with the message) puts
-- it back within reach of the next sweep. So every message written ends delivered or dead:
--   count(written) = count(delivered) + count(dead) + count(pending, in flight).

-- ============================================================================================
-- The relay's role
-- ============================================================================================

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'purchases_relay') then
    create role purchases_relay nologin noinherit;
  end if;
end
$$;
comment on role purchases_relay is
  'Acted as by the delivery worker through PostgREST. May only call the relay_* RPCs.';
grant purchases_relay to authenticator;
alter role purchases_relay set statement_timeout = '10s';

-- ============================================================================================
-- Senders
-- ============================================================================================

-- A company's mail leaves from its own address (default: <slug>@ the relay's MAIL_FROM_DOMAIN,
-- under the company's name), and notices about its webhooks go to its contact address.
alter table ledger.companies
  add column if not exists email_from text check (email_from ~ '^[^@\s<>"]+@[^@\s<>"]+$'),
  add column if not exists contact_email text check (contact_email ~ '^[^@\s<>"]+@[^@\s<>"]+$'),
  add column if not exists mail_quota_per_hour integer not null default 500 check (mail_quota_per_hour between 0 and 1000000);
comment on column ledger.companies.mail_quota_per_hour is 'Emails an hour the company''s requests may send; past it they are held.';

-- ============================================================================================
-- Emails: the outbox gains delivery state and the content composed when it was written
-- ============================================================================================

alter table ledger.email_outbox
  add column if not exists content jsonb,
  add column if not exists state text not null default 'pending' check (state in ('pending', 'delivered', 'dead', 'held')),
  add column if not exists attempts integer not null default 0,
  add column if not exists lease_until timestamptz,
  add column if not exists last_error text check (length(last_error) <= 500),
  add column if not exists dead_at timestamptz;
comment on column ledger.email_outbox.content is 'What the message says (facts, not markup), fixed when it was written.';
comment on column ledger.email_outbox.sent_at is 'When the mail provider accepted the message.';
comment on column ledger.email_outbox.state is 'pending, delivered, dead, or held (over the company''s hourly quota: sent only once released).';
drop index if exists ledger.email_outbox_unsent;
create index if not exists email_outbox_pending on ledger.email_outbox (created_at) where state = 'pending';
-- The hourly mail quota counts the company's mail of the last hour: one range scan of this index.
create index if not exists email_outbox_company_created on ledger.email_outbox (company_id, created_at);

-- Money as text, exact, as every API's JSON carries it.
create or replace function private.money_text(amount numeric)
returns text
language sql
immutable
set search_path = ''
as $$ select to_char(amount, 'FM999999999999990.00') $$;

-- What an order earned its consumer in credits (a referrer's are not the consumer's).
create or replace function private.credits_awarded(purchase_id uuid, customer_id uuid)
returns numeric
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(sum(cc.amount), 0) from ledger.consumer_credits cc
  where cc.earned_by = credits_awarded.purchase_id and cc.customer_id = credits_awarded.customer_id
$$;
revoke all on function private.credits_awarded(uuid, uuid) from public;

-- The facts each template shows, read in the writing transaction, so a message says what was
-- true when it was sent for (a renewed key, the credits this order earned).
-- Read with the owner's rights (it joins tables the workers cannot read whole), and composed only
-- for a purchase of the calling company, whoever asks (null otherwise, which compose_email refuses).
create or replace function private.email_content(template text, purchase_id uuid, to_address text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when template in ('purchase_reactivated', 'purchase_refulfilled') then (
      select jsonb_build_object(
        'purchase', jsonb_build_object('number', p.number, 'purchased_at', p.purchased_at, 'salt', p.salt,
          'buyer', nullif(concat_ws(' ', c.first_name, c.last_name), '')),
        'refulfilled', template = 'purchase_refulfilled',
        'items', coalesce((select jsonb_agg(jsonb_build_object(
            'number', i.number, 'name', coalesce(i.name, pr.name), 'quantity', i.quantity,
            'download_limit', i.download_limit, 'expires_at', i.expires_at, 'keys', to_jsonb(i.product_keys)
          ) order by i.position)
          from ledger.purchase_items i join ledger.products pr on pr.id = i.product_id where i.purchase_id = p.id), '[]'))
      from ledger.purchases p left join ledger.customers c on c.id = p.customer_id
      where p.id = email_content.purchase_id and p.company_id = (select private.caller_company_id()))
    when template = 'publisher_order_confirmation' then (
      select jsonb_build_object(
        'order', jsonb_build_object('number', p.number, 'purchased_at', p.purchased_at, 'currency', p.currency,
          'subtotal', private.money_text(o.subtotal), 'discount', private.money_text(o.discount),
          'credit_value_used', private.money_text(o.credit_value_used), 'charged', private.money_text(o.charge_amount),
          'credits_awarded', private.money_text(private.credits_awarded(p.id, o.customer_id))),
        'consumer', nullif(concat_ws(' ', c.first_name, c.last_name), ''),
        'items', coalesce((select jsonb_agg(jsonb_build_object(
            'name', concat_ws(': ', f.name, op.name), 'quantity', i.quantity,
            'unit_price', private.money_text(i.unit_price), 'amount', private.money_text(i.unit_price * i.quantity),
            'gift_to', case when d.is_gift then nullif(concat_ws(' ', d.recipient_first_name, d.recipient_last_name), '') end
          ) order by i.position)
          from ledger.purchase_items i
          join ledger.publisher_order_details d on d.purchase_item_id = i.id
          join ledger.offer_options op on op.id = d.offer_option_id
          join ledger.offers f on f.id = op.offer_id
          where i.purchase_id = p.id), '[]'))
      from ledger.purchases p
      join ledger.publisher_orders o on o.purchase_id = p.id
      join ledger.customers c on c.id = o.customer_id
      where p.id = email_content.purchase_id and p.company_id = (select private.caller_company_id()))
    when template = 'publisher_gift_notification' then (
      select jsonb_build_object(
        'order', jsonb_build_object('number', p.number, 'purchased_at', p.purchased_at),
        'from', nullif(concat_ws(' ', c.first_name, c.last_name), ''),
        'gifts', coalesce((select jsonb_agg(jsonb_build_object(
            'name', concat_ws(': ', f.name, op.name), 'quantity', i.quantity,
            'recipient', nullif(concat_ws(' ', d.recipient_first_name, d.recipient_last_name), ''),
            'gift_message', d.gift_message
          ) order by i.position)
          from ledger.purchase_items i
          join ledger.publisher_order_details d on d.purchase_item_id = i.id
          join ledger.offer_options op on op.id = d.offer_option_id
          join ledger.offers f on f.id = op.offer_id
          where i.purchase_id = p.id and d.is_gift and lower(d.recipient_email) = lower(to_address)), '[]'))
      from ledger.purchases p left join ledger.customers c on c.id = p.customer_id
      where p.id = email_content.purchase_id and p.company_id = (select private.caller_company_id()))
  end
$$;
revoke all on function private.email_content(text, uuid, text) from public;

create or replace function private.compose_email()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.content is null then
    new.content := private.email_content(new.template, new.purchase_id, new.to_address);
  end if;
  if new.content is null then
    raise exception 'no content for the % email', new.template;
  end if;
  return new;
end;
$$;
revoke all on function private.compose_email() from public;
grant execute on function private.compose_email() to purchases_api;
grant execute on function private.email_content(text, uuid, text) to purchases_api;

drop trigger if exists email_outbox_compose on ledger.email_outbox;
create trigger email_outbox_compose
  before insert on ledger.email_outbox
  for each row execute function private.compose_email();

-- Anyone with a key can make the platform mail an address they name (DPD's customer_email, a
-- publisher order's gift recipients). Over its quota, a company's further mail of the hour is
-- kept as `held`: never sent until `admin outbox release`, while the API's answer is unchanged.
create or replace function private.hold_over_quota()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  quota integer;
  sent integer;
begin
  select c.mail_quota_per_hour into quota from ledger.companies c where c.id = new.company_id;
  select count(*) into sent from ledger.email_outbox o
  where o.company_id = new.company_id and o.created_at > now() - interval '1 hour' and o.state <> 'held';
  if sent >= quota then
    new.state := 'held';
    -- Read by announce_outbox: the answer tells the worker, which logs it.
    perform set_config('purchases.mail_held', 'true', true);
  end if;
  return new;
end;
$$;
revoke all on function private.hold_over_quota() from public;
grant execute on function private.hold_over_quota() to purchases_api;

-- After email_outbox_compose (triggers of one timing fire in name order).
drop trigger if exists email_outbox_quota on ledger.email_outbox;
create trigger email_outbox_quota
  before insert on ledger.email_outbox
  for each row when (new.state = 'pending')
  execute function private.hold_over_quota();

-- ============================================================================================
-- Webhooks: endpoints, events, one delivery per event and endpoint, and every attempt
-- ============================================================================================

create table if not exists ledger.webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  url text not null check (length(url) <= 2000 and url ~ '^https?://'),
  description text check (length(description) <= 500),
  -- Null: every event type.
  event_types text[] check (event_types <@ array['purchase.created', 'purchase.updated', 'purchase.reactivated', 'reward.created', 'order.placed']
    and cardinality(event_types) > 0),
  -- The signing secret (whsec_...), AES-256-GCM under the relay's WEBHOOK_SECRET_KEY; shown once in clear.
  sealed_secret text not null,
  state text not null default 'active' check (state in ('active', 'disabled')),
  disabled_reason text,
  disabled_at timestamptz,
  -- Since when every attempt failed; cleared by a delivery.
  failing_since timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table ledger.webhook_endpoints is 'Where a company receives signed events about its purchases.';
create index if not exists webhook_endpoints_company_active on ledger.webhook_endpoints (company_id) where state = 'active';

create table if not exists ledger.webhook_events (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  event_type text not null,
  purchase_id uuid references ledger.purchases (id) on delete cascade,
  -- The body every endpoint receives: { type, timestamp, data }.
  payload jsonb not null,
  transaction_id xid8 not null default pg_current_xact_id(),
  created_at timestamptz not null default now()
);
comment on table ledger.webhook_events is 'What happened, once, as the JSON every endpoint receives.';
create index if not exists webhook_events_purchase on ledger.webhook_events (purchase_id);
-- A purchase changed several times in one transaction is one purchase.updated.
create unique index if not exists webhook_events_one_update on ledger.webhook_events (purchase_id, transaction_id)
  where event_type = 'purchase.updated';

create table if not exists ledger.webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  event_id uuid not null references ledger.webhook_events (id) on delete cascade,
  endpoint_id uuid not null references ledger.webhook_endpoints (id) on delete cascade,
  state text not null default 'pending' check (state in ('pending', 'delivered', 'dead')),
  attempts integer not null default 0,
  lease_until timestamptz,
  last_error text check (length(last_error) <= 500),
  delivered_at timestamptz,
  dead_at timestamptz,
  created_at timestamptz not null default now(),
  unique (event_id, endpoint_id)
);
comment on table ledger.webhook_deliveries is 'An event on its way to one endpoint.';
create index if not exists webhook_deliveries_pending on ledger.webhook_deliveries (created_at) where state = 'pending';
create index if not exists webhook_deliveries_endpoint on ledger.webhook_deliveries (endpoint_id, created_at desc);

create table if not exists ledger.webhook_attempts (
  id bigint generated always as identity primary key,
  delivery_id uuid not null references ledger.webhook_deliveries (id) on delete cascade,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  attempted_at timestamptz not null default now(),
  -- The receiver's status, or null when none came (refused, timed out, unsafe address).
  status integer,
  error text check (length(error) <= 500),
  -- No more than the start of what the receiver answered.
  response text check (length(response) <= 256),
  duration_ms integer
);
comment on table ledger.webhook_attempts is 'The delivery log: every attempt, what came back, how long it took.';
create index if not exists webhook_attempts_delivery on ledger.webhook_attempts (delivery_id, attempted_at);

-- ============================================================================================
-- Events, written by the database in the transaction of the change
-- ============================================================================================

-- A purchase as every event shows it, whatever API recorded it. Money as exact decimal text.
create or replace function private.webhook_purchase(purchase_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p.id, 'number', p.number, 'source', p.source, 'status', p.status,
    'external_id', p.external_id, 'currency', p.currency,
    'subtotal', private.money_text(p.subtotal), 'tax', private.money_text(p.tax),
    'shipping', private.money_text(p.shipping), 'discount', private.money_text(p.discount),
    'total', private.money_text(p.total),
    'lead_id', p.lead_id, 'channel_id', p.channel_id,
    'purchased_at', p.purchased_at, 'created_at', p.created_at, 'updated_at', p.updated_at,
    'customer', (select jsonb_build_object('id', c.id, 'email', c.email, 'first_name', c.first_name, 'last_name', c.last_name)
      from ledger.customers c where c.id = p.customer_id),
    'items', coalesce((select jsonb_agg(jsonb_build_object(
        'product_id', i.product_id, 'product_code', pr.code, 'name', coalesce(i.name, pr.name), 'sku', i.sku,
        'quantity', i.quantity, 'unit_price', private.money_text(i.unit_price)
      ) order by i.position)
      from ledger.purchase_items i join ledger.products pr on pr.id = i.product_id where i.purchase_id = p.id), '[]'))
  from ledger.purchases p where p.id = webhook_purchase.purchase_id
$$;
revoke all on function private.webhook_purchase(uuid) from public;

-- Records an event for the company's active endpoints that want it: nothing at all when none does
-- (one probe of a partial index), so a company without endpoints pays nothing more per write.
create or replace function private.record_webhook_event(company uuid, event_type text, purchase uuid, data jsonb)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  event_id uuid;
begin
  if not exists (select 1 from ledger.webhook_endpoints e
                 where e.company_id = company and e.state = 'active'
                   and (e.event_types is null or record_webhook_event.event_type = any (e.event_types))) then
    return;
  end if;
  insert into ledger.webhook_events (company_id, event_type, purchase_id, payload)
  values (company, record_webhook_event.event_type, purchase,
          jsonb_build_object('type', record_webhook_event.event_type,
                             'timestamp', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                             'data', data))
  on conflict do nothing
  returning id into event_id;
  if event_id is null then
    return;
  end if;
  insert into ledger.webhook_deliveries (company_id, event_id, endpoint_id)
  select company, event_id, e.id from ledger.webhook_endpoints e
  where e.company_id = company and e.state = 'active'
    and (e.event_types is null or record_webhook_event.event_type = any (e.event_types));
end;
$$;
revoke all on function private.record_webhook_event(uuid, text, uuid, jsonb) from public;

-- purchase.created and purchase.updated fire when the transaction commits (deferred), so the event
-- shows the purchase whole: its items and customer are written after its row.
create or replace function private.purchase_webhook_events()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from ledger.webhook_endpoints e where e.company_id = new.company_id and e.state = 'active') then
    return null;
  end if;
  if tg_op = 'INSERT' then
    perform private.record_webhook_event(new.company_id, 'purchase.created', new.id,
      jsonb_build_object('purchase', private.webhook_purchase(new.id)));
  elsif (to_jsonb(old) - 'updated_at') is distinct from (to_jsonb(new) - 'updated_at')
        and not exists (select 1 from ledger.webhook_events v where v.purchase_id = new.id
                        and v.event_type = 'purchase.created' and v.transaction_id = pg_current_xact_id()) then
    perform private.record_webhook_event(new.company_id, 'purchase.updated', new.id,
      jsonb_build_object('purchase', private.webhook_purchase(new.id)));
  end if;
  return null;
end;
$$;
revoke all on function private.purchase_webhook_events() from public;

drop trigger if exists purchases_webhook_events on ledger.purchases;
create constraint trigger purchases_webhook_events
  after insert or update on ledger.purchases
  deferrable initially deferred
  for each row execute function private.purchase_webhook_events();

-- reward.created: complete when its row is written.
create or replace function private.reward_webhook_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.record_webhook_event(new.company_id, 'reward.created', new.purchase_id,
    jsonb_build_object('reward', jsonb_build_object(
      'id', new.id, 'purchase_id', new.purchase_id,
      'purchase_number', (select p.number from ledger.purchases p where p.id = new.purchase_id),
      'trigger_id', new.trigger_id, 'lead_id', new.lead_id, 'reward_type', new.reward_type,
      'amount', private.money_text(new.amount), 'currency', new.currency, 'created_at', new.created_at)));
  return null;
end;
$$;
revoke all on function private.reward_webhook_event() from public;

drop trigger if exists reward_events_webhook_event on ledger.reward_events;
create trigger reward_events_webhook_event
  after insert on ledger.reward_events
  for each row execute function private.reward_webhook_event();

-- order.placed: at commit, with the credits the order earned.
create or replace function private.order_webhook_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.record_webhook_event(new.company_id, 'order.placed', new.purchase_id,
    jsonb_build_object(
      'purchase', private.webhook_purchase(new.purchase_id),
      'order', jsonb_build_object(
        'subtotal', private.money_text(new.subtotal), 'discount', private.money_text(new.discount),
        'credit_value_used', private.money_text(new.credit_value_used), 'charged', private.money_text(new.charge_amount),
        'payment', new.payment, 'promo_codes', to_jsonb(new.promo_codes),
        'credits_awarded', private.money_text(private.credits_awarded(new.purchase_id, new.customer_id)))));
  return null;
end;
$$;
revoke all on function private.order_webhook_event() from public;

drop trigger if exists publisher_orders_webhook_event on ledger.publisher_orders;
create constraint trigger publisher_orders_webhook_event
  after insert on ledger.publisher_orders
  deferrable initially deferred
  for each row execute function private.order_webhook_event();

-- An event an RPC records itself about one of the caller's purchases (purchase.reactivated, by
-- the reactivation): the purchase as every event shows it, with what the RPC adds beside it.
create or replace function private.record_purchase_event(purchase uuid, event_type text, data jsonb)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  company uuid := (select private.caller_company_id());
begin
  if not exists (select 1 from ledger.purchases p where p.id = purchase and p.company_id = company) then
    raise exception 'not a purchase of the caller' using errcode = 'PT404';
  end if;
  perform private.record_webhook_event(company, event_type, purchase,
    jsonb_build_object('purchase', private.webhook_purchase(purchase)) || data);
end;
$$;
revoke all on function private.record_purchase_event(uuid, text, jsonb) from public;
grant execute on function private.record_purchase_event(uuid, text, jsonb) to purchases_api;

-- ============================================================================================
-- Waking the relay: a request that wrote a message says so in a response header, so the worker
-- hands the relay a nudge (a queue message, not a database call) instead of waiting for the sweep.
-- ============================================================================================

-- The answer of a request that wrote mail says so (X-Outbox); mail held over the quota adds X-Outbox-Held.
create or replace function private.announce_outbox()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if coalesce(current_setting('purchases.mail_held', true), '') = 'true' then
    perform set_config('response.headers', '[{"X-Outbox": "1"}, {"X-Outbox-Held": "1"}]', true);
  else
    perform set_config('response.headers', '[{"X-Outbox": "1"}]', true);
  end if;
  return null;
end;
$$;
revoke all on function private.announce_outbox() from public;
grant execute on function private.announce_outbox() to purchases_api;

drop trigger if exists email_outbox_announce on ledger.email_outbox;
create trigger email_outbox_announce
  after insert on ledger.email_outbox
  for each statement execute function private.announce_outbox();

-- Webhook events are written at commit, after PostgREST has read the response headers; every one
-- comes with a purchase written or changed in its transaction, so that write announces them.
create or replace function private.announce_webhook_events()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from ledger.webhook_endpoints e where e.company_id = new.company_id and e.state = 'active') then
    perform set_config('response.headers', '[{"X-Outbox": "1"}]', true);
  end if;
  return null;
end;
$$;
revoke all on function private.announce_webhook_events() from public;

drop trigger if exists purchases_announce_webhook_events on ledger.purchases;
create trigger purchases_announce_webhook_events
  after insert or update on ledger.purchases
  for each row execute function private.announce_webhook_events();

-- ============================================================================================
-- The relay's RPCs
-- ============================================================================================

-- Leases up to `max_messages` pending messages no relay holds, oldest first; returns [{id, kind}].
create or replace function public.relay_claim(max_messages integer, lease_seconds integer)
returns jsonb
language sql
volatile
security definer
set search_path = ''
as $$
  with emails as (
    update ledger.email_outbox o set lease_until = now() + make_interval(secs => lease_seconds)
    where o.id in (select e.id from ledger.email_outbox e
                   where e.state = 'pending' and (e.lease_until is null or e.lease_until < now())
                   order by e.created_at limit max_messages for update skip locked)
    returning o.id, 'email' as kind, o.created_at),
  hooks as (
    update ledger.webhook_deliveries d set lease_until = now() + make_interval(secs => lease_seconds)
    where d.id in (select w.id from ledger.webhook_deliveries w
                   where w.state = 'pending' and (w.lease_until is null or w.lease_until < now())
                   order by w.created_at limit max_messages for update skip locked)
    returning d.id, 'webhook' as kind, d.created_at)
  select coalesce(jsonb_agg(jsonb_build_object('id', m.id, 'kind', m.kind) order by m.created_at), '[]')
  from (select * from emails union all select * from hooks) m
$$;

-- What the relay needs to deliver each message: its state (one delivered or dead meanwhile is
-- skipped), and the email or the signed request's parts.
create or replace function public.relay_messages(messages jsonb)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(m.body), '[]') from (
    select jsonb_build_object(
      'id', o.id, 'kind', 'email', 'state', o.state, 'attempts', o.attempts,
      'company', jsonb_build_object('slug', c.slug, 'name', c.name, 'email_from', c.email_from),
      'to', o.to_address, 'template', o.template, 'content', o.content, 'created_at', o.created_at) as body
    from jsonb_to_recordset(messages) as r(id uuid, kind text)
    join ledger.email_outbox o on o.id = r.id and r.kind = 'email'
    join ledger.companies c on c.id = o.company_id
    union all
    select jsonb_build_object(
      'id', d.id, 'kind', 'webhook', 'state', d.state, 'attempts', d.attempts,
      'event_id', v.id, 'payload', v.payload,
      'endpoint', jsonb_build_object('id', e.id, 'url', e.url, 'state', e.state, 'sealed_secret', e.sealed_secret))
    from jsonb_to_recordset(messages) as r(id uuid, kind text)
    join ledger.webhook_deliveries d on d.id = r.id and r.kind = 'webhook'
    join ledger.webhook_events v on v.id = d.event_id
    join ledger.webhook_endpoints e on e.id = d.endpoint_id
  ) m
$$;

-- Disables an endpoint: its pending deliveries are dead-lettered (re-drivable once it is enabled
-- again), and, unless an operator did it, its company's contact (if it has one) is told why and
-- how to turn it back on.
create or replace function private.disable_webhook_endpoint(endpoint uuid, reason text, notify boolean default true)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  disabled ledger.webhook_endpoints;
begin
  update ledger.webhook_endpoints e set state = 'disabled', disabled_reason = reason, disabled_at = now(), updated_at = now()
  where e.id = endpoint and e.state = 'active'
  returning * into disabled;
  if disabled.id is null then
    return;
  end if;
  update ledger.webhook_deliveries d set state = 'dead', dead_at = now(), lease_until = null,
    last_error = coalesce(d.last_error, 'the endpoint was disabled')
  where d.endpoint_id = endpoint and d.state = 'pending';
  insert into ledger.email_outbox (company_id, to_address, template, content)
  select c.id, c.contact_email, 'webhook_endpoint_disabled',
         jsonb_build_object('endpoint', jsonb_build_object('id', disabled.id, 'url', disabled.url),
                            'cause', reason, 'failing_since', disabled.failing_since, 'disabled_at', disabled.disabled_at)
  from ledger.companies c where c.id = disabled.company_id and c.contact_email is not null and notify;
end;
$$;
revoke all on function private.disable_webhook_endpoint(uuid, text, boolean) from public;

-- Settles what the relay did, in one call per batch: [{id, kind, outcome, attempted, error,
-- status, response, duration_ms, next_attempt_seconds}]. outcome: delivered, retry (leased until
-- the queue's next attempt, plus lease_seconds) or dead. An endpoint whose message is dead-lettered
-- with no delivery since it began failing has failed through a whole retry schedule: disabled.
create or replace function public.relay_record(results jsonb, lease_seconds integer)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  r record;
  endpoint uuid;
begin
  for r in
    select * from jsonb_to_recordset(results) as x(id uuid, kind text, outcome text, attempted boolean, error text,
      status integer, response text, duration_ms integer, next_attempt_seconds integer)
  loop
    if r.outcome not in ('delivered', 'retry', 'dead') then
      raise exception 'unknown outcome %', r.outcome using errcode = 'PT400';
    end if;
    if r.kind = 'email' then
      update ledger.email_outbox o set
        attempts = o.attempts + case when coalesce(r.attempted, true) then 1 else 0 end,
        last_error = coalesce(left(r.error, 500), o.last_error),
        state = case r.outcome when 'retry' then 'pending' else r.outcome end,
        sent_at = case when r.outcome = 'delivered' then now() else o.sent_at end,
        dead_at = case when r.outcome = 'dead' then now() else o.dead_at end,
        lease_until = case when r.outcome = 'retry'
          then now() + make_interval(secs => coalesce(r.next_attempt_seconds, 0) + lease_seconds) end
      where o.id = r.id and o.state = 'pending';
    elsif r.kind = 'webhook' then
      update ledger.webhook_deliveries d set
        attempts = d.attempts + case when coalesce(r.attempted, true) then 1 else 0 end,
        last_error = case when r.outcome = 'delivered' then null else coalesce(left(r.error, 500), d.last_error) end,
        state = case r.outcome when 'retry' then 'pending' else r.outcome end,
        delivered_at = case when r.outcome = 'delivered' then now() else d.delivered_at end,
        dead_at = case when r.outcome = 'dead' then now() else d.dead_at end,
        lease_until = case when r.outcome = 'retry'
          then now() + make_interval(secs => coalesce(r.next_attempt_seconds, 0) + lease_seconds) end
      where d.id = r.id and d.state = 'pending'
      returning d.endpoint_id into endpoint;
      if endpoint is null then
        continue;
      end if;
      if coalesce(r.attempted, true) then
        insert into ledger.webhook_attempts (delivery_id, company_id, status, error, response, duration_ms)
        select r.id, d.company_id, r.status, left(r.error, 500), left(r.response, 256), r.duration_ms
        from ledger.webhook_deliveries d where d.id = r.id;
      end if;
      if r.outcome = 'delivered' then
        update ledger.webhook_endpoints e set failing_since = null where e.id = endpoint and e.failing_since is not null;
      else
        update ledger.webhook_endpoints e set failing_since = now() where e.id = endpoint and e.failing_since is null;
        if r.outcome = 'dead' then
          perform private.disable_webhook_endpoint(endpoint,
            'every attempt to deliver to it failed through the whole retry schedule (last: ' || coalesce(left(r.error, 200), 'no answer') || ')');
        end if;
      end if;
    else
      raise exception 'unknown message kind %', r.kind using errcode = 'PT400';
    end if;
  end loop;
end;
$$;

revoke all on function public.relay_claim(integer, integer) from public, anon, authenticated;
revoke all on function public.relay_messages(jsonb) from public, anon, authenticated;
revoke all on function public.relay_record(jsonb, integer) from public, anon, authenticated;
grant execute on function public.relay_claim(integer, integer) to purchases_relay;
grant execute on function public.relay_messages(jsonb) to purchases_relay;
grant execute on function public.relay_record(jsonb, integer) to purchases_relay;

-- ============================================================================================
-- Row-level security: the relay works through its RPCs; a company sees its own rows only
-- ============================================================================================

alter table ledger.webhook_endpoints enable row level security;
alter table ledger.webhook_events enable row level security;
alter table ledger.webhook_deliveries enable row level security;
alter table ledger.webhook_attempts enable row level security;

-- Never the sealed secret.
grant select (id, company_id, url, description, event_types, state, disabled_reason, disabled_at, failing_since, created_at, updated_at)
  on ledger.webhook_endpoints to purchases_api;
grant select on ledger.webhook_events, ledger.webhook_deliveries, ledger.webhook_attempts to purchases_api;

drop policy if exists "Webhook endpoints are visible to their company" on ledger.webhook_endpoints;
create policy "Webhook endpoints are visible to their company" on ledger.webhook_endpoints
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Webhook events are visible to their company" on ledger.webhook_events;
create policy "Webhook events are visible to their company" on ledger.webhook_events
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Webhook deliveries are visible to their company" on ledger.webhook_deliveries;
create policy "Webhook deliveries are visible to their company" on ledger.webhook_deliveries
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Webhook attempts are visible to their company" on ledger.webhook_attempts;
create policy "Webhook attempts are visible to their company" on ledger.webhook_attempts
  for select to purchases_api using (company_id = (select private.caller_company_id()));
