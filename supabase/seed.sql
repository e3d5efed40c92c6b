-- Demo data for a new local database: two companies, each with a credential for every API.
-- The secrets in clear are listed in docs/local-platform.md and platform/demo.ts; only their SHA-256 digests are
-- stored here. The OAuth consumer secrets are sealed under the local default
-- OAUTH_CONSUMER_SECRET_KEY (docs/local-platform.md), so they open only with that key.

insert into ledger.companies (id, slug, name) values
  ('10b33439-dc1c-488d-a348-5601ee382b58', 'acme', 'Acme Outfitters'),
  ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c', 'globex', 'Globex Media')
on conflict (id) do nothing;

with demo (company_id, kind, key_id, secret, encrypted_secret) as (values
  ('10b33439-dc1c-488d-a348-5601ee382b58'::uuid, 'lumen_api_key', null, 'lumen_demo_fD2m37oCi8WIwkOR-dy_YIFQ', null),
  ('10b33439-dc1c-488d-a348-5601ee382b58'::uuid, 'operations_api_key', null, 'ops_demo_50Be3yOHqAGwnmH0vjb2hkWl', null),
  ('10b33439-dc1c-488d-a348-5601ee382b58'::uuid, 'dpd_basic', 'acme', 'dpd_demo_Gb_XfHKM9howfND-meO0LtK1', null),
  ('10b33439-dc1c-488d-a348-5601ee382b58'::uuid, 'kit_token', null, 'kit_demo_lDBbha--UxL3EWzCwHu0GV-C', null),
  ('10b33439-dc1c-488d-a348-5601ee382b58'::uuid, 'oauth_consumer', 'c4197b0e-695d-4c0b-8510-bfb9d80ad0bb', 'gcs_demo_wLe_6zwQJJyl180e__-ELYuB',
    'v1.yjvY_Xy6zrS1YBBr.wBnWuMKra3lic8dnDjZqaQfKIO-wFo7NCulNj-Bz9vHa_STdv0kZSY_dw3I5YZXgmA'),
  ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c'::uuid, 'lumen_api_key', null, 'lumen_demo_s9sk3Hi_EyYrMVU0lxV90lvE', null),
  ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c'::uuid, 'operations_api_key', null, 'ops_demo_fVsDH_HLzBn8AJ-uJ30-MGm4', null),
  ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c'::uuid, 'dpd_basic', 'globex', 'dpd_demo_mH-mQ8d3EBRypVZ9_fG-JdFB', null),
  ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c'::uuid, 'kit_token', null, 'kit_demo_tCSwaUHkGUPq9ZmEJ635Ja2Q', null),
  ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c'::uuid, 'oauth_consumer', '7a961863-b2f1-43a4-83bf-e26d188b371b', 'gcs_demo__zPAacS9XkQxolUnSyYssWFk',
    'v1._NjFnADxf7t94cLy.hToZQyhfZ8S1Sbm5J9TUbBMV1P3FmelMO6eGGUXK-IXay3p7IzYIZAsHSbhk7OmNHw')
), digested as (
  select company_id, kind, key_id, encrypted_secret,
         encode(sha256(convert_to(secret, 'UTF8')), 'hex') as secret_digest
  from demo
)
insert into ledger.credentials (company_id, kind, key_id, secret_digest, encrypted_secret, label)
select company_id, kind, coalesce(key_id, secret_digest), secret_digest, encrypted_secret, 'demo'
from digested
on conflict do nothing;

-- Channels: Partner Network is shared by both companies; each also has one of its own.
insert into ledger.channels (id, name, currency) values
  ('941c9e01-a91b-4ea0-9a65-f010208b9eb9', 'Partner Network', 'USD'),
  ('52699c82-12ef-4218-8951-b09b6ab4c5cc', 'Acme Direct', 'USD'),
  ('0c94f42d-b29d-4d2c-81fb-63cf65e58deb', 'Globex Europe', 'EUR')
on conflict (id) do nothing;

insert into ledger.channel_access (company_id, channel_id) values
  ('10b33439-dc1c-488d-a348-5601ee382b58', '941c9e01-a91b-4ea0-9a65-f010208b9eb9'),
  ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c', '941c9e01-a91b-4ea0-9a65-f010208b9eb9'),
  ('10b33439-dc1c-488d-a348-5601ee382b58', '52699c82-12ef-4218-8951-b09b6ab4c5cc'),
  ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c', '0c94f42d-b29d-4d2c-81fb-63cf65e58deb')
on conflict do nothing;

insert into ledger.leads (id, channel_id, email, name) values
  ('b2f6a849-1f5d-45dc-9c68-21a16d8cdc4c', '941c9e01-a91b-4ea0-9a65-f010208b9eb9', 'ada@example.com', 'Ada Lovelace'),
  ('3bb7d550-c56e-4a8b-866e-3301e7bccfc0', '941c9e01-a91b-4ea0-9a65-f010208b9eb9', 'ben@example.com', 'Ben Franklin'),
  ('3bea9853-6440-4d41-b077-f818788aa518', '52699c82-12ef-4218-8951-b09b6ab4c5cc', 'cleo@example.com', 'Cleo Park'),
  ('0847c6a1-342c-488c-a7d2-2647207b064b', '0c94f42d-b29d-4d2c-81fb-63cf65e58deb', 'dora@example.com', 'Dora Maar')
on conflict (id) do nothing;

insert into ledger.products (id, company_id, name) values
  ('5c96e8d2-1cc8-4632-b1d5-73f31a00857a', '10b33439-dc1c-488d-a348-5601ee382b58', 'Annual subscription'),
  ('d9b3876a-996c-4c83-872f-392649a0f5a8', '10b33439-dc1c-488d-a348-5601ee382b58', 'Starter kit'),
  ('1d687f8c-7bd9-4460-9de1-f4fe02f4b9fb', '423ebb6d-84c4-4f41-9b9e-d0595fdc616c', 'Premium plan'),
  ('a95b37e7-3dea-4182-9a40-62e25f9ab2b1', '423ebb6d-84c4-4f41-9b9e-d0595fdc616c', 'Magazine bundle')
on conflict (id) do nothing;

insert into ledger.reward_triggers (id, channel_id, name, reward_type, value, active) values
  ('b585f555-9465-4926-96d3-c2908b3b88c0', '941c9e01-a91b-4ea0-9a65-f010208b9eb9', 'Referral bonus', 'fixed', 25.00, true),
  ('805ff69a-9a02-42e2-a206-4f93931d0b7d', '941c9e01-a91b-4ea0-9a65-f010208b9eb9', 'Revenue share', 'percentage', 5, true),
  ('78cfe44f-21ec-4665-9a01-ee3f853a8fac', '52699c82-12ef-4218-8951-b09b6ab4c5cc', 'Affiliate commission', 'percentage', 7.5, true),
  ('0765287a-0fb6-4c75-8e0e-0cdb5a9306e9', '0c94f42d-b29d-4d2c-81fb-63cf65e58deb', 'Partner commission', 'percentage', 12.5, true),
  ('5f5c23b4-4be6-478f-af79-ca1b329d4c21', '0c94f42d-b29d-4d2c-81fb-63cf65e58deb', 'Retired bonus', 'fixed', 10.00, false)
on conflict (id) do nothing;

-- Lumen partnerships. acme: both fulfillment models, the reference's product and segments;
-- globex: partner-fulfilled only, one of its two products granted.
update ledger.products set code = v.code
from (values
  ('5c96e8d2-1cc8-4632-b1d5-73f31a00857a'::uuid, 'LMN_123456'),
  ('d9b3876a-996c-4c83-872f-392649a0f5a8'::uuid, 'LMN_654321'),
  ('1d687f8c-7bd9-4460-9de1-f4fe02f4b9fb'::uuid, 'LMN_777001'),
  ('a95b37e7-3dea-4182-9a40-62e25f9ab2b1'::uuid, 'LMN_777002')
) as v (id, code)
where ledger.products.id = v.id;

insert into ledger.lumen_partnerships (company_id, lumen_fulfilled, partner_fulfilled, rate_limit, rate_window_seconds) values
  ('10b33439-dc1c-488d-a348-5601ee382b58', true, true, 120, 60),
  ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c', false, true, 30, 60)
on conflict (company_id) do nothing;

-- Acme's DPD integration polls often: its DPD credentials get twice the default limit.
insert into ledger.request_limits (company_id, api, requests, window_seconds) values
  ('10b33439-dc1c-488d-a348-5601ee382b58', 'dpd', 1200, 60)
on conflict (company_id, api) do nothing;

insert into ledger.lumen_product_grants (company_id, product_id) values
  ('10b33439-dc1c-488d-a348-5601ee382b58', '5c96e8d2-1cc8-4632-b1d5-73f31a00857a'),
  ('10b33439-dc1c-488d-a348-5601ee382b58', 'd9b3876a-996c-4c83-872f-392649a0f5a8'),
  ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c', '1d687f8c-7bd9-4460-9de1-f4fe02f4b9fb')
on conflict do nothing;

insert into ledger.lumen_audience_segments (company_id, segment) values
  ('10b33439-dc1c-488d-a348-5601ee382b58', 'segment_of_audience'),
  ('10b33439-dc1c-488d-a348-5601ee382b58', 'type_of_audience'),
  ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c', 'newsletter_readers')
on conflict do nothing;

-- Kit purchases, recorded through the Kit RPC itself as each company's token (the claims a
-- worker would send), so they are exactly what the API would have made. acme's first is the
-- reference's example under another transaction_id, so npm run try -- kit creates a purchase on a fresh platform.
select set_config('request.jwt.claims', json_build_object('aud', 'purchases-workers', 'cred_kind', 'kit_token', 'cred_id', d, 'cred_digest', d)::text, true)
from (select encode(sha256(convert_to('kit_demo_lDBbha--UxL3EWzCwHu0GV-C', 'UTF8')), 'hex') as d) token;
select public.kit_create_purchase('{"email_address": "pru.magoo@example.com", "transaction_id": "796-92-4890", "status": "paid",
  "subtotal": 78.66, "tax": 7.87, "shipping": 0, "discount": 5, "total": 81.53, "currency": "USD",
  "transaction_time": "2023-02-17T11:43:55Z", "products": [
    {"name": "Phantom Hourglass", "pid": "804-02-4430", "lid": "811-75-7900", "quantity": 1, "unit_price": 23.22, "sku": "SM21-SH-M02-RD-S-001"},
    {"name": "Twilight Princess", "pid": "833-51-1151", "lid": "766-49-1241", "quantity": 1, "unit_price": 32.22, "sku": "WT21-JK-M03-BK-L-012"},
    {"name": "Four Swords", "pid": "217-99-4325", "lid": "563-95-8878", "quantity": 1, "unit_price": 23.22, "sku": "FL21-TS-M01-BL-M-020"}]}');
select public.kit_create_purchase('{"email_address": "pru.magoo@example.com", "transaction_id": "512-41-4101", "status": "paid",
  "subtotal": 5, "tax": 0, "discount": 0, "total": 5, "currency": "USD", "transaction_time": "2023-03-01T09:00:00Z",
  "products": [{"name": "Tip", "pid": "111-75-7524", "lid": "000-13-0000", "quantity": 1, "unit_price": 5}]}');

select set_config('request.jwt.claims', json_build_object('aud', 'purchases-workers', 'cred_kind', 'kit_token', 'cred_id', d, 'cred_digest', d)::text, true)
from (select encode(sha256(convert_to('kit_demo_tCSwaUHkGUPq9ZmEJ635Ja2Q', 'UTF8')), 'hex') as d) token;
select public.kit_create_purchase('{"email_address": "reader@example.com", "transaction_id": "GLX-0001", "status": "paid",
  "subtotal": 12, "tax": 0.96, "discount": 0, "total": 12.96, "currency": "EUR", "transaction_time": "2024-06-01T12:00:00Z",
  "products": [{"name": "Magazine bundle", "pid": "GLX-MAG", "lid": "GLX-0001-1", "quantity": 2, "unit_price": 6}]}');
select set_config('request.jwt.claims', '', true);

-- DPD: storefronts, download and key settings on products, and purchases in every status, with
-- and without shipping, with coupons, custom fields and product keys. Fixed ids (listed in
-- platform/demo.ts and stack.json) keep the demo stable.
insert into ledger.storefronts (number, company_id, name) overriding system value values
  (101, '10b33439-dc1c-488d-a348-5601ee382b58', 'Acme Online Store'),
  (102, '10b33439-dc1c-488d-a348-5601ee382b58', 'Acme Outlet'),
  (201, '423ebb6d-84c4-4f41-9b9e-d0595fdc616c', 'Globex Shop')
on conflict do nothing;
select setval(pg_get_serial_sequence('ledger.storefronts', 'number'), 1000);

update ledger.products set download_limit = 5, download_days = 30, keys_per_unit = 1
where id in ('5c96e8d2-1cc8-4632-b1d5-73f31a00857a', '1d687f8c-7bd9-4460-9de1-f4fe02f4b9fb');

insert into ledger.customers (company_id, email, first_name, last_name, receives_email) values
  ('10b33439-dc1c-488d-a348-5601ee382b58', 'dana.scully@example.com', 'Dana', 'Scully', true),
  ('10b33439-dc1c-488d-a348-5601ee382b58', 'fox.mulder@example.com', 'Fox', 'Mulder', false),
  ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c', 'greta@example.de', 'Greta', 'Gerwig', true)
on conflict do nothing;

with demo (number, company, storefront, status, email, subtotal, discount, tax, shipping, total, fee, ships, shipped) as (values
  (1001, '10b33439-dc1c-488d-a348-5601ee382b58'::uuid, 101, 'paid',     'dana.scully@example.com', 120.00, 12.00, 8.64, 10.00, 126.64, 3.97, true,  false),
  (1002, '10b33439-dc1c-488d-a348-5601ee382b58'::uuid, 101, 'pending',  'fox.mulder@example.com',   49.99,  0.00, 0.00,  0.00,  49.99, null, false, false),
  (1003, '10b33439-dc1c-488d-a348-5601ee382b58'::uuid, 102, 'refunded', 'dana.scully@example.com',  49.99,  0.00, 0.00,  0.00,  49.99, 1.75, false, false),
  (1004, '10b33439-dc1c-488d-a348-5601ee382b58'::uuid, 101, 'error',    'fox.mulder@example.com',   15.00,  0.00, 0.00,  0.00,  15.00, null, false, false),
  (1005, '10b33439-dc1c-488d-a348-5601ee382b58'::uuid, 102, 'canceled', 'dana.scully@example.com',  70.00,  0.00, 0.00,  5.00,  75.00, null, true,  false),
  (1006, '10b33439-dc1c-488d-a348-5601ee382b58'::uuid, 101, 'held',     'fox.mulder@example.com',   70.00,  0.00, 0.00,  5.00,  75.00, null, true,  true),
  (2001, '423ebb6d-84c4-4f41-9b9e-d0595fdc616c'::uuid, 201, 'paid',     'greta@example.de',         80.00,  0.00, 15.20, 4.90, 100.10, 2.10, true,  false),
  (2002, '423ebb6d-84c4-4f41-9b9e-d0595fdc616c'::uuid, 201, 'pending',  'greta@example.de',         12.00,  0.00, 2.28,  0.00,  14.28, null, false, false)
)
insert into ledger.purchases (
  number, company_id, source, storefront_id, status, customer_id, currency, subtotal, discount, tax, shipping, total,
  processor_fee, requires_shipping, shipping_first_name, shipping_last_name, shipping_street, shipping_street2,
  shipping_city, shipping_state, shipping_zip, shipping_country_code, shipping_phone,
  billing_first_name, billing_last_name, billing_street, billing_city, billing_state, billing_zip, billing_country_code,
  billing_card_type, billing_card_last4, ip_address, marketing_optin, customer_notes
) overriding system value
select d.number, d.company, 'dpd', s.id, d.status, c.id,
       case when d.number > 2000 then 'EUR' else 'USD' end,
       d.subtotal, d.discount, d.tax, d.shipping, d.total, d.fee, d.ships,
       case when d.ships then c.first_name end, case when d.ships then c.last_name end,
       case when d.ships then case when d.number > 2000 then 'Unter den Linden 1' else '2630 Hegal Place' end end,
       case when d.ships and d.number < 2000 then 'Apt 42' end,
       case when d.ships then case when d.number > 2000 then 'Berlin' else 'Alexandria' end end,
       case when d.ships then case when d.number > 2000 then 'BE' else 'VA' end end,
       case when d.ships then case when d.number > 2000 then '10117' else '23242' end end,
       case when d.ships then case when d.number > 2000 then 'DE' else 'US' end end,
       case when d.ships then '5550100' end,
       c.first_name, c.last_name, '1 Billing Way', 'Springfield', 'IL', '62701', case when d.number > 2000 then 'DE' else 'US' end,
       'Visa', '4242', '203.0.113.7', d.number % 2 = 1, case when d.number = 1001 then 'Please gift wrap.' end
from demo d
join ledger.storefronts s on s.number = d.storefront
join ledger.customers c on c.company_id = d.company and c.email_key = d.email
on conflict do nothing;
select setval(pg_get_serial_sequence('ledger.purchases', 'number'), greatest((select max(number) from ledger.purchases), 10000));

insert into ledger.purchase_items (purchase_id, company_id, product_id, quantity, unit_price, tax, discount, position,
                                   download_limit, expires_at, product_keys, keys_wanted)
select p.id, p.company_id, pr.id, item.quantity, item.price, item.tax, item.discount, item.position,
       pr.download_limit, case when pr.download_days is not null then now() + make_interval(days => pr.download_days) end,
       case when pr.keys_per_unit > 0 then array(select 'DEMO-' || p.number || '-' || k from generate_series(1, item.quantity * pr.keys_per_unit) k) else '{}' end,
       item.quantity * pr.keys_per_unit
from (values
  (1001, '5c96e8d2-1cc8-4632-b1d5-73f31a00857a'::uuid, 1, 50.00, 3.60, 12.00, 0),
  (1001, 'd9b3876a-996c-4c83-872f-392649a0f5a8'::uuid, 2, 35.00, 5.04, 0.00, 1),
  (1002, '5c96e8d2-1cc8-4632-b1d5-73f31a00857a'::uuid, 1, 49.99, 0.00, 0.00, 0),
  (1003, '5c96e8d2-1cc8-4632-b1d5-73f31a00857a'::uuid, 1, 49.99, 0.00, 0.00, 0),
  (1004, 'd9b3876a-996c-4c83-872f-392649a0f5a8'::uuid, 1, 15.00, 0.00, 0.00, 0),
  (1005, 'd9b3876a-996c-4c83-872f-392649a0f5a8'::uuid, 2, 35.00, 0.00, 0.00, 0),
  (1006, 'd9b3876a-996c-4c83-872f-392649a0f5a8'::uuid, 2, 35.00, 0.00, 0.00, 0),
  (2001, '1d687f8c-7bd9-4460-9de1-f4fe02f4b9fb'::uuid, 1, 80.00, 15.20, 0.00, 0),
  (2002, 'a95b37e7-3dea-4182-9a40-62e25f9ab2b1'::uuid, 2, 6.00, 1.14, 0.00, 0)
) as item (number, product, quantity, price, tax, discount, position)
join ledger.purchases p on p.number = item.number
join ledger.products pr on pr.id = item.product
on conflict do nothing;

insert into ledger.shipments (company_id, purchase_id, status, carrier, tracking_number, shipped_at)
select p.company_id, p.id, case when p.number = 1006 then 'shipped' else 'pending' end,
       case when p.number = 1006 then 'UPS' end, case when p.number = 1006 then '1Z999AA10123456784' end,
       case when p.number = 1006 then now() end
from ledger.purchases p where p.number in (1001, 1005, 1006, 2001)
on conflict do nothing;

insert into ledger.purchase_coupons (purchase_id, company_id, position, name, code, discount_amount, discount_type)
select p.id, p.company_id, 0, 'Spring sale', 'SPRING10', 10, 'percent' from ledger.purchases p where p.number = 1001
on conflict do nothing;

insert into ledger.purchase_custom_fields (purchase_id, company_id, position, label, response)
select p.id, p.company_id, f.position, f.label, f.response
from ledger.purchases p, (values (0, 'How did you hear about us?', 'A friend'), (1, 'Company name', 'FBI')) as f (position, label, response)
where p.number = 1001
on conflict do nothing;

-- Group Commerce: the reference sample's offers for acme (9033 ships, 9035 does not; 9033 has a
-- promotional price), one offer for globex, and promo codes. Each option names a ledger product.
insert into ledger.products (id, company_id, name, code) values
  ('6f0c2a4e-1b7d-4c55-9a0e-3d2f1e8b9c01', '10b33439-dc1c-488d-a348-5601ee382b58', 'Cookware set', 'GC-9173'),
  ('6f0c2a4e-1b7d-4c55-9a0e-3d2f1e8b9c02', '10b33439-dc1c-488d-a348-5601ee382b58', 'Spa day voucher', 'GC-9123'),
  ('6f0c2a4e-1b7d-4c55-9a0e-3d2f1e8b9c03', '423ebb6d-84c4-4f41-9b9e-d0595fdc616c', 'Museum pass', 'GC-7101')
on conflict (id) do nothing;

insert into ledger.offers (id, number, company_id, name, requires_shipping, currency) overriding system value values
  ('7a1d0b3c-2e4f-4a6b-8c9d-0e1f2a3b4c01', 9033, '10b33439-dc1c-488d-a348-5601ee382b58', 'Cookware set, half price', true, 'USD'),
  ('7a1d0b3c-2e4f-4a6b-8c9d-0e1f2a3b4c02', 9035, '10b33439-dc1c-488d-a348-5601ee382b58', 'Spa day for two', false, 'USD'),
  ('7a1d0b3c-2e4f-4a6b-8c9d-0e1f2a3b4c03', 7001, '423ebb6d-84c4-4f41-9b9e-d0595fdc616c', 'Museum pass', false, 'EUR')
on conflict (id) do nothing;
select setval(pg_get_serial_sequence('ledger.offers', 'number'), 100000);

insert into ledger.offer_options (offer_id, number, company_id, name, price, promotional_price, product_id) overriding system value values
  ('7a1d0b3c-2e4f-4a6b-8c9d-0e1f2a3b4c01', 9173, '10b33439-dc1c-488d-a348-5601ee382b58', '12-piece set', 59.00, 49.00, '6f0c2a4e-1b7d-4c55-9a0e-3d2f1e8b9c01'),
  ('7a1d0b3c-2e4f-4a6b-8c9d-0e1f2a3b4c02', 9123, '10b33439-dc1c-488d-a348-5601ee382b58', 'Weekday visit', 74.92, null, '6f0c2a4e-1b7d-4c55-9a0e-3d2f1e8b9c02'),
  ('7a1d0b3c-2e4f-4a6b-8c9d-0e1f2a3b4c03', 7101, '423ebb6d-84c4-4f41-9b9e-d0595fdc616c', 'One year', 20.00, null, '6f0c2a4e-1b7d-4c55-9a0e-3d2f1e8b9c03')
on conflict do nothing;
select setval(pg_get_serial_sequence('ledger.offer_options', 'number'), 100000);

insert into ledger.offer_segments (offer_id, company_id, segment_key) values
  ('7a1d0b3c-2e4f-4a6b-8c9d-0e1f2a3b4c01', '10b33439-dc1c-488d-a348-5601ee382b58', 'new-york'),
  ('7a1d0b3c-2e4f-4a6b-8c9d-0e1f2a3b4c02', '10b33439-dc1c-488d-a348-5601ee382b58', 'new-york'),
  ('7a1d0b3c-2e4f-4a6b-8c9d-0e1f2a3b4c03', '423ebb6d-84c4-4f41-9b9e-d0595fdc616c', 'berlin')
on conflict do nothing;

insert into ledger.promo_codes (company_id, code, discount_type, amount) values
  ('10b33439-dc1c-488d-a348-5601ee382b58', 'SAVE10', 'percent', 10),
  ('10b33439-dc1c-488d-a348-5601ee382b58', 'FIVEOFF', 'money', 5),
  ('423ebb6d-84c4-4f41-9b9e-d0595fdc616c', 'WILLKOMMEN', 'percent', 15)
on conflict do nothing;

-- A Group Commerce consumer of acme with a card stored at the (test) processor.
insert into ledger.customers (company_id, email, first_name, last_name, user_key) values
  ('10b33439-dc1c-488d-a348-5601ee382b58', 'consumertest@example.com', 'Consumer', 'Test', 'consumertest@example.com')
on conflict do nothing;
insert into ledger.stored_cards (id, company_id, customer_id, processor_token, brand, last4, expiry_month, expiry_year)
select '8b2e4c6d-0f1a-4b3c-9d5e-7f8a9b0c1d01', c.company_id, c.id, 'test_tok_demo_consumer', 'Visa', '1111', 7, 2030
from ledger.customers c where c.company_id = '10b33439-dc1c-488d-a348-5601ee382b58' and c.user_key = 'consumertest@example.com'
on conflict do nothing;

-- acme's credit rules: 5% of each order back for the next purchase, 2.00 more once the consumer has
-- made one more purchase, and 10.00 to whoever referred a new consumer. The demo consumer holds
-- 12.13 of credit. globex has no credit rules.
insert into ledger.credit_rules (id, company_id, name, trigger_type, beneficiary, amount_type, amount) values
  ('9c3e5f70-1a2b-4c3d-8e4f-5a6b7c8d9e01', '10b33439-dc1c-488d-a348-5601ee382b58', 'Five percent back', 'for_next_purchase', 'consumer', 'percent', 5),
  ('9c3e5f70-1a2b-4c3d-8e4f-5a6b7c8d9e02', '10b33439-dc1c-488d-a348-5601ee382b58', 'Come back bonus', 'after_next_purchase', 'consumer', 'money', 2),
  ('9c3e5f70-1a2b-4c3d-8e4f-5a6b7c8d9e03', '10b33439-dc1c-488d-a348-5601ee382b58', 'Referral thanks', 'for_next_purchase', 'referrer', 'money', 10)
on conflict do nothing;
insert into ledger.consumer_credits (company_id, customer_id, amount, remaining, currency, status, available_at)
select c.company_id, c.id, 12.13, 12.13, 'USD', 'available', now()
from ledger.customers c where c.company_id = '10b33439-dc1c-488d-a348-5601ee382b58' and c.user_key = 'consumertest@example.com'
  and not exists (select 1 from ledger.consumer_credits cc where cc.customer_id = c.id);
