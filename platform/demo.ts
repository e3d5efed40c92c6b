/**
 * The demo companies that supabase/seed.sql creates, with the credentials in clear. The seed
 * stores only their digests (and the OAuth secrets sealed under the local default key); this file
 * is what `npm start` reports in .local/stack.json and what docs/local-platform.md lists. A test proves every one
 * of them authenticates, so the two cannot drift apart.
 */

export interface DemoCompany {
  companyId: string;
  name: string;
  lumen: {
    apiKey: string;
    /** Lumen product ids granted to the partnership. */
    productIds: string[];
    audienceSegments: string[];
    rateLimit: { limit: number; windowSeconds: number };
  };
  operations: {
    apiKey: string;
    /** Leads of channels the company has access to. */
    leadIds: string[];
    /** The company's own products. */
    productIds: string[];
    /** Leads that exist, in channels the company has no access to. */
    inaccessibleLeadIds: string[];
  };
  dpd: {
    username: string;
    password: string;
    /** Purchases made for DPD, one per status (acme), with the ids DPD shows. */
    purchaseIds: number[];
    productIds: number[];
    storefrontIds: number[];
  };
  kit: { token: string };
  groupcommerce: {
    consumerKey: string;
    consumerSecret: string;
    offers: Array<{
      offerId: number;
      offerOptionId: number;
      segmentKey: string;
      requiresShipping: boolean;
      price: string;
      promotionalPrice: string | null;
    }>;
    promoCodes: string[];
  };
}

/**
 * The seed's leads. Partner Network (USD) is shared by both companies; Acme Direct (USD) is
 * acme's alone; Globex Europe (EUR) is globex's alone.
 */
export const demoLeads = {
  partnerNetworkAda: 'b2f6a849-1f5d-45dc-9c68-21a16d8cdc4c',
  partnerNetworkBen: '3bb7d550-c56e-4a8b-866e-3301e7bccfc0',
  acmeDirect: '3bea9853-6440-4d41-b077-f818788aa518',
  globexEurope: '0847c6a1-342c-488c-a7d2-2647207b064b',
} as const;

/**
 * The seed's active reward triggers for purchases, by channel, as tests check amounts against them:
 * Partner Network pays 25.00 fixed plus 5 %; Acme Direct 7.5 %; Globex Europe 12.5 % (its fixed
 * 10.00 trigger is inactive).
 */
export const demoChannels = {
  partnerNetwork: { id: '941c9e01-a91b-4ea0-9a65-f010208b9eb9', currency: 'USD' },
  acmeDirect: { id: '52699c82-12ef-4218-8951-b09b6ab4c5cc', currency: 'USD' },
  globexEurope: { id: '0c94f42d-b29d-4d2c-81fb-63cf65e58deb', currency: 'EUR' },
} as const;

export const demoCompanies: Record<string, DemoCompany> = {
  acme: {
    companyId: '10b33439-dc1c-488d-a348-5601ee382b58',
    name: 'Acme Outfitters',
    lumen: {
      apiKey: 'lumen_demo_fD2m37oCi8WIwkOR-dy_YIFQ',
      productIds: ['LMN_123456', 'LMN_654321'],
      audienceSegments: ['segment_of_audience', 'type_of_audience'],
      rateLimit: { limit: 120, windowSeconds: 60 },
    },
    operations: {
      apiKey: 'ops_demo_50Be3yOHqAGwnmH0vjb2hkWl',
      leadIds: [demoLeads.partnerNetworkAda, demoLeads.partnerNetworkBen, demoLeads.acmeDirect],
      productIds: ['5c96e8d2-1cc8-4632-b1d5-73f31a00857a', 'd9b3876a-996c-4c83-872f-392649a0f5a8'],
      inaccessibleLeadIds: [demoLeads.globexEurope],
    },
    dpd: {
      username: 'acme',
      password: 'dpd_demo_Gb_XfHKM9howfND-meO0LtK1',
      purchaseIds: [1001, 1002, 1003, 1004, 1005, 1006],
      productIds: [1, 2],
      storefrontIds: [101, 102],
    },
    kit: { token: 'kit_demo_lDBbha--UxL3EWzCwHu0GV-C' },
    groupcommerce: {
      consumerKey: 'c4197b0e-695d-4c0b-8510-bfb9d80ad0bb',
      consumerSecret: 'gcs_demo_wLe_6zwQJJyl180e__-ELYuB',
      offers: [
        { offerId: 9033, offerOptionId: 9173, segmentKey: 'new-york', requiresShipping: true, price: '59.00', promotionalPrice: '49.00' },
        { offerId: 9035, offerOptionId: 9123, segmentKey: 'new-york', requiresShipping: false, price: '74.92', promotionalPrice: null },
      ],
      promoCodes: ['SAVE10', 'FIVEOFF'],
    },
  },
  globex: {
    companyId: '423ebb6d-84c4-4f41-9b9e-d0595fdc616c',
    name: 'Globex Media',
    lumen: {
      apiKey: 'lumen_demo_s9sk3Hi_EyYrMVU0lxV90lvE',
      productIds: ['LMN_777001'],
      audienceSegments: ['newsletter_readers'],
      rateLimit: { limit: 30, windowSeconds: 60 },
    },
    operations: {
      apiKey: 'ops_demo_fVsDH_HLzBn8AJ-uJ30-MGm4',
      leadIds: [demoLeads.partnerNetworkAda, demoLeads.partnerNetworkBen, demoLeads.globexEurope],
      productIds: ['1d687f8c-7bd9-4460-9de1-f4fe02f4b9fb', 'a95b37e7-3dea-4182-9a40-62e25f9ab2b1'],
      inaccessibleLeadIds: [demoLeads.acmeDirect],
    },
    dpd: {
      username: 'globex',
      password: 'dpd_demo_mH-mQ8d3EBRypVZ9_fG-JdFB',
      purchaseIds: [2001, 2002],
      productIds: [3, 4],
      storefrontIds: [201],
    },
    kit: { token: 'kit_demo_tCSwaUHkGUPq9ZmEJ635Ja2Q' },
    groupcommerce: {
      consumerKey: '7a961863-b2f1-43a4-83bf-e26d188b371b',
      consumerSecret: 'gcs_demo__zPAacS9XkQxolUnSyYssWFk',
      offers: [{ offerId: 7001, offerOptionId: 7101, segmentKey: 'berlin', requiresShipping: false, price: '20.00', promotionalPrice: null }],
      promoCodes: ['WILLKOMMEN'],
    },
  },
};
