/**
 * The demo companies that supabase/seed.sql creates, with the credentials in clear. The seed
 * stores only their digests (and the OAuth secrets sealed under the local default key); this file
 * is what `npm start` reports in .local/stack.json and what README lists. A test proves every one
 * of them authenticates, so the two cannot drift apart.
 */

export interface DemoCompany {
  companyId: string;
  name: string;
  lumen: { apiKey: string };
  operations: { apiKey: string };
  dpd: { username: string; password: string };
  kit: { token: string };
  groupcommerce: { consumerKey: string; consumerSecret: string };
}

export const demoCompanies: Record<string, DemoCompany> = {
  acme: {
    companyId: '10b33439-dc1c-488d-a348-5601ee382b58',
    name: 'Acme Outfitters',
    lumen: { apiKey: 'lumen_demo_fD2m37oCi8WIwkOR-dy_YIFQ' },
    operations: { apiKey: 'ops_demo_50Be3yOHqAGwnmH0vjb2hkWl' },
    dpd: { username: 'acme', password: 'dpd_demo_Gb_XfHKM9howfND-meO0LtK1' },
    kit: { token: 'kit_demo_lDBbha--UxL3EWzCwHu0GV-C' },
    groupcommerce: {
      consumerKey: 'c4197b0e-695d-4c0b-8510-bfb9d80ad0bb',
      consumerSecret: 'gcs_demo_wLe_6zwQJJyl180e__-ELYuB',
    },
  },
  globex: {
    companyId: '423ebb6d-84c4-4f41-9b9e-d0595fdc616c',
    name: 'Globex Media',
    lumen: { apiKey: 'lumen_demo_s9sk3Hi_EyYrMVU0lxV90lvE' },
    operations: { apiKey: 'ops_demo_fVsDH_HLzBn8AJ-uJ30-MGm4' },
    dpd: { username: 'globex', password: 'dpd_demo_mH-mQ8d3EBRypVZ9_fG-JdFB' },
    kit: { token: 'kit_demo_tCSwaUHkGUPq9ZmEJ635Ja2Q' },
    groupcommerce: {
      consumerKey: '7a961863-b2f1-43a4-83bf-e26d188b371b',
      consumerSecret: 'gcs_demo__zPAacS9XkQxolUnSyYssWFk',
    },
  },
};
