-- Demo data for a new local database: two companies, each with a credential for every API.
-- The secrets in clear are listed in README and platform/demo.ts; only their SHA-256 digests are
-- stored here. The OAuth consumer secrets are sealed under the local default
-- OAUTH_CONSUMER_SECRET_KEY (README), so they open only with that key.

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
