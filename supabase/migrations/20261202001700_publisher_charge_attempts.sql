-- Card charge attempts: every charge the publisher worker asks of the processor is written first,
-- by the pricing call, and settled afterwards, so no charge can be taken and forgotten.
--
--   pending    written by gc_order before the processor is called; its id is the charge's
--              idempotency key. A charge whose answer was lost (a timeout, a 5xx past the SDK's
--              retries) leaves it pending: the outcome is unknown, and the client is told so.
--   placed     gc_place_charged_order recorded the order with the charge (or reconciliation did).
--   failed     reconciliation found nothing charged (a request that learns so at once, from a
--              decline or a refusal, deletes its attempt: a rejected request leaves nothing).
--   refunding  charged, but the order cannot be placed (a duplicate, a changed price): the charge
--              is being given back.
--   refunded   charged and given back.
--
-- A retried order (a new request, so a new nonce) for the same consumer and the same content as a
-- pending attempt, where duplicates are not allowed, reuses that attempt: its charge carries the
-- same idempotency key, so the processor answers the first charge again instead of taking a
-- second. With duplicates allowed every order is an attempt of its own, as the reference
-- means it.
--
-- Attempts left pending or refunding (a worker that died between charge and record, an answer
-- lost) are settled by reconciliation: the publisher worker's cron asks the processor what
-- happened to each and settles it through reconcile_* below, as the purchases_reconciler role:
-- nothing charged → failed; charged → the order is placed if it still can be, else refunded.
--
-- A pending attempt reserves the credits it was priced with: a concurrent order of the same
-- consumer is priced without them, so a card is charged only for an order that can be placed.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'purchases_reconciler') then
    create role purchases_reconciler nologin noinherit;
  end if;
end
$$;
comment on role purchases_reconciler is
  'Acted as by the publisher worker''s reconciliation cron through PostgREST. May only call the reconcile_* RPCs.';
grant purchases_reconciler to authenticator;
alter role purchases_reconciler set statement_timeout = '10s';

create table if not exists ledger.charge_attempts (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  -- The publisher credential that asked: reconciliation places the order as it, while it is live.
  credential_id uuid not null references ledger.credentials (id) on delete cascade,
  -- The customer's user_key (a first order's consumer does not exist until the order is placed).
  user_key text not null,
  -- md5 of the order as the database received it (no card data): what makes a retry "the same order".
  content text not null,
  -- The order in the ledger's names, without card number, CVV, expiry or holder: what reconciliation places.
  ordered jsonb not null,
  allow_duplicates boolean not null,
  amount numeric(14, 2) not null check (amount > 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  -- The credits the order was priced with, reserved while the attempt is pending.
  credit_value_used numeric(14, 2) not null check (credit_value_used >= 0),
  status text not null default 'pending' check (status in ('pending', 'placed', 'failed', 'refunding', 'refunded')),
  transaction_id text,
  purchase_id uuid references ledger.purchases (id) on delete set null,
  -- Who settled it: the order's own requests, or reconciliation (which an operator reviews).
  settled_by text check (settled_by in ('request', 'reconciliation')),
  created_at timestamptz not null default now(),
  -- The last time a request used it (a retry reusing it counts): reconciliation waits until none can still be charging.
  touched_at timestamptz not null default now(),
  settled_at timestamptz,
  lease_until timestamptz,
  constraint charge_attempts_settled check ((status in ('pending', 'refunding')) = (settled_at is null))
);
comment on table ledger.charge_attempts is 'Each card charge asked of the processor for a publisher order, and how it was settled.';
create index if not exists charge_attempts_retry on ledger.charge_attempts (company_id, user_key, content) where status = 'pending';
create index if not exists charge_attempts_reserved on ledger.charge_attempts (company_id, user_key) where status = 'pending' and credit_value_used > 0;
create index if not exists charge_attempts_unsettled on ledger.charge_attempts (touched_at) where status in ('pending', 'refunding');
create index if not exists charge_attempts_reconciled on ledger.charge_attempts (settled_at desc) where settled_by = 'reconciliation';
create index if not exists charge_attempts_company on ledger.charge_attempts (company_id, created_at desc);

alter table ledger.charge_attempts enable row level security;
grant select, insert, update, delete on ledger.charge_attempts to purchases_api;
drop policy if exists "Charge attempts are their company's" on ledger.charge_attempts;
create policy "Charge attempts are their company's" on ledger.charge_attempts
  for all to purchases_api
  using (company_id = (select private.caller_company_id()))
  with check (company_id = (select private.caller_company_id()));

-- The live credential the request's claims name (what caller_company_id resolves), by id.
create or replace function private.caller_credential_id()
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select c.id
  from ledger.credentials c
  where c.kind = (select private.request_claims() ->> 'cred_kind')
    and c.key_id = (select private.request_claims() ->> 'cred_id')
    and c.secret_digest = (select private.request_claims() ->> 'cred_digest')
    and c.revoked_at is null;
$$;
revoke all on function private.caller_credential_id() from public;
grant execute on function private.caller_credential_id() to purchases_api;

-- Makes the rest of the transaction act as `credential` (if still live), as its requests do: the
-- same claims, so every check that asks who the caller is (RLS, email content) answers the same.
-- For reconciliation alone (security definer callers); false when the credential is gone or revoked.
create or replace function private.act_as_credential(credential uuid)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  live ledger.credentials;
begin
  select c.* into live from ledger.credentials c where c.id = credential and c.revoked_at is null;
  if live.id is null then
    return false;
  end if;
  perform set_config('request.jwt.claims',
    jsonb_build_object('aud', 'purchases-workers', 'cred_kind', live.kind, 'cred_id', live.key_id, 'cred_digest', live.secret_digest)::text, true);
  return true;
end;
$$;
revoke all on function private.act_as_credential(uuid) from public;

-- Moves an attempt to `new_status`, settled by `who` (request or reconciliation), with the charge's
-- transaction and, once placed, the order's purchase (by its number). Settled states stamp
-- settled_at and drop reconciliation's lease; refunding stays unsettled until the refund is made.
-- Runs with its caller's rights: a request's RLS, or reconciliation's owner.
create or replace function private.settle_charge_attempt(attempt_id uuid, new_status text, who text, charge_transaction text, order_number bigint default null)
returns void
language sql
volatile
set search_path = ''
as $$
  update ledger.charge_attempts a
  set status = new_status,
      settled_by = who,
      transaction_id = coalesce(charge_transaction, a.transaction_id),
      purchase_id = coalesce((select p.id from ledger.purchases p where p.company_id = a.company_id and p.number = order_number), a.purchase_id),
      settled_at = case when new_status = 'refunding' then null else now() end,
      lease_until = case when new_status = 'refunding' then a.lease_until end
  where a.id = attempt_id
$$;
revoke all on function private.settle_charge_attempt(uuid, text, text, text, bigint) from public;
grant execute on function private.settle_charge_attempt(uuid, text, text, text, bigint) to purchases_api;

-- ============================================================================================
-- Pricing with reservations
-- ============================================================================================

-- gc_quote, with the credits of the consumer's other pending attempts held back: the quote spends
-- only what no charge in flight was priced with. `own`: the attempt being priced again (its own
-- reservation is its to spend); `credit_cap`: the credits it was priced with, which it spends at
-- most, so credits a concurrent order awarded meanwhile do not change the price it was charged.
create or replace function private.gc_quote_reserving(company uuid, ordered jsonb, own uuid, credit_cap numeric)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  quote jsonb := private.gc_quote(company, ordered);
  wanted numeric(14, 2) := (quote ->> 'credit_value_used')::numeric;
  reserved numeric(14, 2);
  available numeric(14, 2);
  credit numeric(14, 2);
begin
  if wanted = 0 then
    return quote;
  end if;
  select coalesce(sum(a.credit_value_used), 0) into reserved
  from ledger.charge_attempts a
  where a.company_id = company and a.user_key = gc_quote_reserving.ordered #>> '{customer,user_key}'
    and a.status = 'pending' and a.credit_value_used > 0 and a.id is distinct from own
    and a.currency = quote ->> 'currency';
  if reserved = 0 and coalesce(credit_cap, wanted) >= wanted then
    return quote;
  end if;
  select coalesce(sum(c.remaining), 0) into available
  from ledger.consumer_credits c
  where c.customer_id = (quote ->> 'customer_id')::uuid and c.currency = quote ->> 'currency'
    and c.status = 'available' and c.remaining > 0;
  credit := least(greatest(available - reserved, 0), wanted, coalesce(credit_cap, wanted));
  return quote || jsonb_build_object(
    'credit_value_used', credit::text,
    'charge_amount', ((quote ->> 'total')::numeric - credit)::numeric(14, 2)::text);
end;
$$;
revoke all on function private.gc_quote_reserving(uuid, jsonb, uuid, numeric) from public;
grant execute on function private.gc_quote_reserving(uuid, jsonb, uuid, numeric) to purchases_api;

-- ============================================================================================
-- The order's own requests
-- ============================================================================================

-- POST /api/v3/publisher/order and /order/validate: spends the request's nonce, checks and prices
-- the order; with `place`, places it when nothing is to be charged (off-platform, or paid in full
-- by promo codes and credits), else writes (or reuses) the charge attempt and answers
-- charge_required with its id. One round trip.
create or replace function public.gc_order(nonce text, signed_at bigint, window_seconds integer, ordered jsonb, place boolean)
returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.oauth_spend_nonce(nonce, signed_at, window_seconds);
  consumer_key text := ordered #>> '{customer,user_key}';
  allow_duplicates boolean := coalesce((ordered ->> 'allow_duplicate')::boolean, false);
  order_content text := md5(ordered::text);
  attempt ledger.charge_attempts;
  quote jsonb;
begin
  if place then
    perform private.gc_lock_consumer(company, consumer_key);
    if not allow_duplicates then
      select a.* into attempt from ledger.charge_attempts a
      where a.company_id = company and a.user_key = consumer_key and a.content = order_content and a.status = 'pending'
      order by a.created_at desc limit 1;
    end if;
  end if;
  quote := private.gc_quote_reserving(company, ordered, attempt.id, attempt.credit_value_used);
  if quote ->> 'duplicate_number' is not null then
    return private.gc_outcome('duplicate', quote, null);
  elsif not place then
    return private.gc_outcome('validated', quote, null);
  elsif ordered ->> 'payment' = 'off_platform' or (quote ->> 'charge_amount')::numeric = 0 then
    return private.gc_outcome('placed', quote, private.gc_insert_order(company, ordered, quote, null));
  end if;
  if attempt.id is null then
    insert into ledger.charge_attempts (company_id, credential_id, user_key, content, ordered, allow_duplicates, amount, currency, credit_value_used)
    values (company, private.caller_credential_id(), consumer_key, order_content, ordered, allow_duplicates, (quote ->> 'charge_amount')::numeric,
            quote ->> 'currency', (quote ->> 'credit_value_used')::numeric)
    returning * into attempt;
  else
    update ledger.charge_attempts a set touched_at = now() where a.id = attempt.id;
  end if;
  return private.gc_outcome('charge_required', quote, jsonb_build_object('attempt_id', attempt.id));
end;
$$;
comment on function public.gc_order(text, bigint, integer, jsonb, boolean) is
  'Group Commerce order: checks, prices and (with place) places an order that needs no charge, or keeps its charge attempt; spends the nonce.';
revoke all on function public.gc_order(text, bigint, integer, jsonb, boolean) from public, anon, authenticated;
grant execute on function public.gc_order(text, bigint, integer, jsonb, boolean) to purchases_api;

-- The second step of an order paid by card, after the charge: checks and prices the order again
-- under the consumer's lock and places it only if the price is still what was charged. Otherwise
-- the attempt is marked refunding and the answer says `refund`: the worker gives the charge back.
-- An attempt already placed (a retry that reused it, answered by the processor with the first
-- charge) is answered as the duplicate it is, with nothing to refund.
-- `payment`: {attempt_id, amount, transaction_id, billing_card_type, billing_card_last4, card?: the
-- stored card to keep (processor_token, brand, last4, expiry_month, expiry_year)}.
create or replace function public.gc_place_charged_order(ordered jsonb, payment jsonb)
returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  attempt ledger.charge_attempts;
  quote jsonb;
  placed jsonb;
begin
  if (select private.request_claims() ->> 'cred_kind') is distinct from 'oauth_consumer' then
    raise exception 'not an OAuth consumer' using errcode = 'PT401', hint = 'invalid_credential';
  end if;
  perform private.gc_lock_consumer(company, ordered #>> '{customer,user_key}');
  select a.* into attempt from ledger.charge_attempts a where a.id = (payment ->> 'attempt_id')::uuid and a.company_id = company for update;
  if attempt.id is null then
    raise exception 'unknown charge attempt' using errcode = 'PT400', hint = 'unknown_charge_attempt';
  end if;
  quote := private.gc_quote_reserving(company, ordered, attempt.id, attempt.credit_value_used);
  if attempt.status = 'placed' then
    return private.gc_outcome('duplicate', quote || jsonb_build_object('duplicate_number',
      (select p.number from ledger.purchases p where p.id = attempt.purchase_id)), null);
  elsif attempt.status in ('refunding', 'refunded') then
    -- Reconciliation found this charge (the same key, so the same charge) and is giving it back.
    return private.gc_outcome('reconciled', quote, jsonb_build_object('attempt_status', attempt.status));
  end if;
  -- Pending, or `failed`: reconciliation looked before this request's charge reached the
  -- processor. The charge is real either way: it is placed or given back here.
  if quote ->> 'duplicate_number' is not null or (quote ->> 'charge_amount')::numeric <> (payment ->> 'amount')::numeric then
    perform private.settle_charge_attempt(attempt.id, 'refunding', 'request', payment ->> 'transaction_id');
    return private.gc_outcome(case when quote ->> 'duplicate_number' is null then 'price_changed' else 'duplicate' end, quote,
      jsonb_build_object('refund', true));
  end if;
  placed := private.gc_insert_order(company, ordered, quote, payment);
  perform private.settle_charge_attempt(attempt.id, 'placed', 'request', payment ->> 'transaction_id', (placed ->> 'number')::bigint);
  return private.gc_outcome('placed', quote, placed);
end;
$$;
comment on function public.gc_place_charged_order(jsonb, jsonb) is 'Group Commerce order paid by card: places it after the charge, settling its attempt.';
revoke all on function public.gc_place_charged_order(jsonb, jsonb) from public, anon, authenticated;
grant execute on function public.gc_place_charged_order(jsonb, jsonb) to purchases_api;

-- What the worker learned of a charge it asked for, when it places no order: `failed` (the
-- processor definitely took nothing: a decline, a refusal) removes the pending attempt, as a
-- rejected request leaves nothing behind; `refunded` (the worker gave the charge back) settles it.
-- Any other change is not the request's to make.
create or replace function public.gc_settle_charge_attempt(attempt_id uuid, outcome text)
returns void
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
begin
  if outcome = 'failed' then
    delete from ledger.charge_attempts a where a.id = attempt_id and a.company_id = company and a.status = 'pending';
  elsif outcome = 'refunded' then
    update ledger.charge_attempts a set status = 'refunded', settled_at = now(), settled_by = coalesce(a.settled_by, 'request')
    where a.id = attempt_id and a.company_id = company and a.status in ('pending', 'refunding');
  else
    raise exception 'unknown settlement' using errcode = 'PT400', hint = 'unknown_settlement';
  end if;
end;
$$;
comment on function public.gc_settle_charge_attempt(uuid, text) is 'Group Commerce: a charge attempt that placed no order, settled by its request.';
revoke all on function public.gc_settle_charge_attempt(uuid, text) from public, anon, authenticated;
grant execute on function public.gc_settle_charge_attempt(uuid, text) to purchases_api;

-- ============================================================================================
-- Reconciliation (the publisher worker's cron, as purchases_reconciler)
-- ============================================================================================

-- Leases up to `max_attempts` attempts left unsettled for `quiet_seconds` (no request has touched
-- them since, so none can still be charging) for `lease_seconds`, oldest first.
create or replace function public.reconcile_claim(quiet_seconds integer, max_attempts integer, lease_seconds integer)
returns jsonb
language sql
volatile
security definer
set search_path = ''
as $$
  with claimed as (
    update ledger.charge_attempts a set lease_until = now() + make_interval(secs => lease_seconds)
    where a.id in (
      select u.id from ledger.charge_attempts u
      where u.status in ('pending', 'refunding') and u.touched_at < now() - make_interval(secs => quiet_seconds)
        and (u.lease_until is null or u.lease_until < now())
      order by u.touched_at limit max_attempts for update skip locked)
    returning a.id, a.amount, a.currency, a.created_at, a.touched_at)
  select coalesce(jsonb_agg(jsonb_build_object(
    'id', c.id, 'amount', c.amount::text, 'currency', c.currency, 'created_at', c.created_at, 'touched_at', c.touched_at)
    order by c.touched_at), '[]')
  from claimed c
$$;

-- Settles one attempt with what the processor says of it. `charge`: null when the processor has
-- no successful charge for it; else {transaction_id, refunded, billing_card_type, billing_card_last4}.
-- Answers {outcome}: failed | refunded | placed (with the order's number) | refund (the charge must be given
-- back: call again with refunded true once it is) | unchanged (settled meanwhile).
create or replace function public.reconcile_settle(attempt_id uuid, charge jsonb)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  attempt ledger.charge_attempts;
  quote jsonb;
  placed jsonb;
  order_number bigint;
begin
  select a.* into attempt from ledger.charge_attempts a where a.id = attempt_id;
  if attempt.id is null or attempt.status not in ('pending', 'refunding') then
    return jsonb_build_object('outcome', 'unchanged');
  end if;
  perform private.gc_lock_consumer(attempt.company_id, attempt.user_key);
  select a.* into attempt from ledger.charge_attempts a where a.id = attempt_id for update;
  if attempt.status not in ('pending', 'refunding') then
    return jsonb_build_object('outcome', 'unchanged');
  end if;

  if charge is null or jsonb_typeof(charge) = 'null' then
    perform private.settle_charge_attempt(attempt.id, 'failed', 'reconciliation', null);
    return jsonb_build_object('outcome', 'failed');
  elsif (charge ->> 'refunded')::boolean then
    perform private.settle_charge_attempt(attempt.id, 'refunded', 'reconciliation', charge ->> 'transaction_id');
    return jsonb_build_object('outcome', 'refunded');
  end if;

  -- The order may have been recorded, its answer lost on the way back to the worker.
  select p.number into order_number
  from ledger.publisher_orders o join ledger.purchases p on p.id = o.purchase_id
  where o.company_id = attempt.company_id and o.transaction_id = charge ->> 'transaction_id';
  if order_number is not null then
    perform private.settle_charge_attempt(attempt.id, 'placed', 'reconciliation', charge ->> 'transaction_id', order_number);
    return jsonb_build_object('outcome', 'placed', 'number', order_number);
  end if;

  -- Placed as the credential that asked for it, and only while it is live (a revoked publisher key places nothing more).
  if attempt.status = 'pending' and private.act_as_credential(attempt.credential_id) then
    quote := private.gc_quote_reserving(attempt.company_id, attempt.ordered, attempt.id, attempt.credit_value_used);
    if quote ->> 'duplicate_number' is null and (quote ->> 'charge_amount')::numeric = attempt.amount then
      placed := private.gc_insert_order(attempt.company_id, attempt.ordered, quote,
        charge - 'refunded');
      order_number := (placed ->> 'number')::bigint;
      perform private.settle_charge_attempt(attempt.id, 'placed', 'reconciliation', charge ->> 'transaction_id', order_number);
      return jsonb_build_object('outcome', 'placed', 'number', order_number);
    end if;
  end if;
  perform private.settle_charge_attempt(attempt.id, 'refunding', 'reconciliation', charge ->> 'transaction_id');
  return jsonb_build_object('outcome', 'refund');
exception
  -- An order that no longer passes its checks (an offer gone, credits changed) is refunded.
  when sqlstate 'PT400' or sqlstate 'PT409' then
    perform private.settle_charge_attempt(attempt_id, 'refunding', 'reconciliation', charge ->> 'transaction_id');
    return jsonb_build_object('outcome', 'refund');
end;
$$;

revoke all on function public.reconcile_claim(integer, integer, integer) from public, anon, authenticated;
revoke all on function public.reconcile_settle(uuid, jsonb) from public, anon, authenticated;
grant execute on function public.reconcile_claim(integer, integer, integer) to purchases_reconciler;
grant execute on function public.reconcile_settle(uuid, jsonb) to purchases_reconciler;
grant usage on schema public to purchases_reconciler;
