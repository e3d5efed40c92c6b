-- The checks of a publisher order that need the publisher's data: offers and options exist and
-- belong together, the offer is sold in the segment, an offer that ships has its shipping fields,
-- a stored card belongs to the consumer, every promo code is valid. One round trip that also
-- spends the request's nonce. Field issues come back as PT400 with a JSON list in `detail`.

create or replace function public.gc_check_order(nonce text, signed_at bigint, window_seconds integer, ordered jsonb)
returns json
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.oauth_spend_nonce(nonce, signed_at, window_seconds);
  issues jsonb := '[]';
  detail record;
  offer ledger.offers;
  option_row ledger.offer_options;
  field text;
  promo text;
begin
  for detail in
    select d.ordinality - 1 as position, d.value as v
    from jsonb_array_elements(ordered -> 'OrderDetails') with ordinality as d
  loop
    select o.* into offer from ledger.offers o where o.company_id = company and o.number = (detail.v ->> 'OfferId')::integer;
    if offer.id is null then
      issues := issues || jsonb_build_object('field', format('OrderDetails[%s].OfferId', detail.position),
        'message', format('there is no offer %s', detail.v ->> 'OfferId'));
      continue;
    end if;
    select op.* into option_row from ledger.offer_options op
    where op.offer_id = offer.id and op.number = (detail.v ->> 'OfferOptionId')::integer;
    if option_row.id is null then
      issues := issues || jsonb_build_object('field', format('OrderDetails[%s].OfferOptionId', detail.position),
        'message', format('%s is not an option of offer %s', detail.v ->> 'OfferOptionId', offer.number));
    end if;
    if not exists (select 1 from ledger.offer_segments s where s.offer_id = offer.id and s.segment_key = detail.v ->> 'SegmentKey') then
      issues := issues || jsonb_build_object('field', format('OrderDetails[%s].SegmentKey', detail.position),
        'message', format('offer %s is not sold in %s', offer.number, detail.v ->> 'SegmentKey'));
    end if;
    -- spec: an offer that requires shipping needs the shipping address on its order detail.
    if offer.requires_shipping then
      foreach field in array array['Address', 'City', 'State', 'Country', 'PostalCode', 'ShippingName'] loop
        if coalesce(detail.v ->> field, '') = '' then
          issues := issues || jsonb_build_object('field', format('OrderDetails[%s].%s', detail.position, field),
            'message', format('is required because offer %s ships', offer.number));
        end if;
      end loop;
    end if;
  end loop;

  if ordered #>> '{BillingInfo,StoredCreditCardId}' is not null and not exists (
    select 1 from ledger.stored_cards sc join ledger.customers c on c.id = sc.customer_id
    where c.company_id = company and c.user_key = ordered #>> '{ConsumerInfo,UserKey}'
      and sc.id::text = ordered #>> '{BillingInfo,StoredCreditCardId}'
  ) then
    issues := issues || jsonb_build_object('field', 'BillingInfo.StoredCreditCardId', 'message', 'is not a stored card of this consumer');
  end if;

  -- spec: any invalid promo code stops the purchase, and the error names the code.
  for promo in select jsonb_array_elements_text(ordered -> 'PromoCodes') loop
    if not exists (select 1 from ledger.promo_codes p where p.company_id = company and upper(p.code) = upper(promo) and p.active) then
      issues := issues || jsonb_build_object('field', 'PromoCodes', 'message', format('%s is not a valid promo code', promo));
    end if;
  end loop;

  if jsonb_array_length(issues) > 0 then
    raise exception 'The order cannot be placed.' using errcode = 'PT400', hint = 'field_issues', detail = issues::text;
  end if;
  return json_build_object('ok', true);
end;
$$;
comment on function public.gc_check_order(text, bigint, integer, jsonb) is 'Group Commerce order checks that need the publisher''s data; spends the nonce.';
revoke all on function public.gc_check_order(text, bigint, integer, jsonb) from public, anon, authenticated;
grant execute on function public.gc_check_order(text, bigint, integer, jsonb) to purchases_api;
