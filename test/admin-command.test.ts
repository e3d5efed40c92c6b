/** The operator CLI: help everywhere, clear refusals, secrets shown once and stored only as digests. */
import { describe, expect, it } from 'vitest';
import { admin, stack, superuser } from './helpers.ts';

describe('npm run admin', () => {
  it('has --help on every command', async () => {
    const overview = await admin('--help');
    expect(overview.code).toBe(0);
    const all = [
      'company create', 'company list', 'credential issue', 'credential list', 'credential revoke',
      'channel create', 'channel list', 'channel grant', 'channel revoke', 'lead create', 'lead list',
      'product create', 'product list', 'trigger create', 'trigger list', 'trigger deactivate',
      'offer create', 'offer add-option', 'offer add-segment', 'offer list', 'promo create', 'promo list', 'promo deactivate',
      'credit-rule create', 'credit-rule list', 'credit-rule deactivate', 'storefront create', 'storefront list',
      'partnership set', 'partnership show', 'partnership grant-product', 'partnership revoke-product', 'partnership add-segment', 'partnership remove-segment',
    ];
    for (const command of all) {
      expect(overview.stdout).toContain(command);
      const help = await admin(...command.split(' '), '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: npm run admin -- /);
    }
  });

  it('refuses bad arguments with exit code 2 and says what is wrong', async () => {
    expect(await admin('company', 'create', '--slug', 'Bad Slug', '--name', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('--slug') });
    expect(await admin('credential', 'issue', 'paypal', '--company', 'acme')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown API paypal') });
    expect(await admin('credential', 'issue', 'kit', '--company', 'acme', '--username', 'x')).toMatchObject({ code: 2 });
    expect(await admin('company', 'frobnicate')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command') });
    expect(await admin('company', 'create', '--bogus')).toMatchObject({ code: 2 });
  });

  it('refuses what the data forbids with exit code 1', async () => {
    expect(await admin('company', 'create', '--slug', 'acme', '--name', 'Again')).toMatchObject({ code: 1, stderr: expect.stringContaining('already exists') });
    expect(await admin('credential', 'issue', 'kit', '--company', 'nobody')).toMatchObject({ code: 1, stderr: expect.stringContaining('no company with slug nobody') });
    expect(await admin('credential', 'revoke', '00000000-0000-4000-8000-000000000000')).toMatchObject({ code: 1 });
  });

  it('creates a company and issues every kind of credential, storing no secret in clear', async () => {
    const slug = `cli-${Date.now()}`;
    const created = await admin('company', 'create', '--slug', slug, '--name', 'CLI Test Co', '--json');
    expect(JSON.parse(created.stdout)).toMatchObject({ slug, name: 'CLI Test Co', id: expect.any(String) });
    const secrets: string[] = [];
    for (const api of ['lumen', 'operations', 'dpd', 'kit', 'groupcommerce']) {
      const issued = JSON.parse((await admin('credential', 'issue', api, '--company', slug, '--json')).stdout);
      const secret = issued.apiKey ?? issued.password ?? issued.token ?? issued.consumerSecret;
      // Tagged (shared/auth/key-tag.ts): prefix, v2_, 43 random characters, an 11-character tag.
      expect(secret).toMatch(/^(?:[a-z]+_[a-z]+_|gcs_)v2_[A-Za-z0-9_-]{54}$/);
      if (api === 'groupcommerce') expect(issued.consumerKey).toMatch(/^gck_v2_[A-Za-z0-9_-]{54}$/);
      secrets.push(secret);
    }
    const listed = JSON.parse((await admin('credential', 'list', '--company', slug, '--json')).stdout);
    expect(listed.map((c: { api: string; tagged: boolean }) => [c.api, c.tagged])).toEqual(['lumen', 'operations', 'dpd', 'kit', 'groupcommerce'].map((api) => [api, true]));
    expect(JSON.stringify(listed)).not.toMatch(new RegExp(secrets.join('|')));

    const db = await superuser();
    const { rows } = await db.query(
      `select c.* from ledger.credentials c join ledger.companies co on co.id = c.company_id where co.slug = $1`,
      [slug],
    );
    await db.end();
    const stored = JSON.stringify(rows);
    for (const secret of secrets) expect(stored).not.toContain(secret);
  });
});

describe('npm run admin: the operations catalog', () => {
  const json = async (...args: string[]) => {
    const result = await admin(...args, '--json');
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };

  it('sets up a channel, its access, a lead, a product and triggers that pay as configured', async () => {
    const slug = `ops-${Date.now()}`;
    await json('company', 'create', '--slug', slug, '--name', 'Ops Co');
    const { apiKey } = await json('credential', 'issue', 'operations', '--company', slug);
    const channel = await json('channel', 'create', '--name', 'Yen Channel', '--currency', 'jpy');
    expect(channel.currency).toBe('JPY');
    await json('channel', 'grant', '--channel', channel.id, '--company', slug);
    const lead = await json('lead', 'create', '--channel', channel.id, '--name', 'Kenji', '--email', 'kenji@example.com');
    const product = await json('product', 'create', '--company', slug, '--name', 'Tea set');
    const fixed = await json('trigger', 'create', '--channel', channel.id, '--name', 'Welcome', '--fixed', '300');
    await json('trigger', 'create', '--channel', channel.id, '--name', 'Share', '--percentage', '2.5');
    const retired = await json('trigger', 'create', '--channel', channel.id, '--name', 'Old', '--fixed', '1');
    await json('trigger', 'deactivate', retired.id);
    expect((await json('trigger', 'list', '--channel', channel.id)).map((t: { active: boolean }) => t.active)).toEqual([true, true, false]);

    const call = (body: object) =>
      fetch(`${stack().apis.operations}/functions/v1/openapi-operations`, {
        method: 'POST',
        headers: { 'X-Api-Key': apiKey },
        body: JSON.stringify(body),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));
    const created = await call({ action: 'create_purchase', lead_id: lead.id, product_id: product.id, purchase_amount: 4999 });
    expect(created.status).toBe(201);
    const rewards = await call({ action: 'list_reward_events', purchase_id: created.body.purchase.id });
    // 2.5 % of 4999 = 124.975 → 124.98; the fixed 300; nothing from the deactivated trigger.
    expect(rewards.body.reward_events.map((r: { amount: number }) => r.amount).sort((a: number, b: number) => a - b)).toEqual([124.98, 300]);
    expect(fixed.value).toBe('300');

    await json('channel', 'revoke', '--channel', channel.id, '--company', slug);
    expect((await call({ action: 'create_purchase', lead_id: lead.id })).body).toEqual({ error: 'Lead not accessible' });
  });

  it('refuses bad catalog arguments', async () => {
    expect(await admin('channel', 'create', '--name', 'X', '--currency', 'ZZZ')).toMatchObject({ code: 2 });
    expect(await admin('trigger', 'create', '--channel', '00000000-0000-4000-8000-000000000000', '--name', 'x', '--fixed', '1', '--percentage', '2')).toMatchObject({ code: 2 });
    expect(await admin('trigger', 'create', '--channel', '00000000-0000-4000-8000-000000000000', '--name', 'x', '--percentage', '101')).toMatchObject({ code: 2 });
    expect(await admin('trigger', 'create', '--channel', '00000000-0000-4000-8000-000000000000', '--name', 'x', '--fixed', '1.001')).toMatchObject({ code: 2 });
    expect(await admin('lead', 'create', '--channel', '00000000-0000-4000-8000-000000000000')).toMatchObject({ code: 1, stderr: expect.stringContaining('no channel') });
  });
});

describe('npm run admin: publisher offers', () => {
  it('creates an offer with a priced option in a segment, and promo codes, refusing bad values', async () => {
    const slug = `gc-${Date.now()}`;
    expect((await admin('company', 'create', '--slug', slug, '--name', 'GC Co')).code).toBe(0);
    const offer = JSON.parse((await admin('offer', 'create', '--company', slug, '--name', 'Tour', '--requires-shipping', 'yes', '--json')).stdout);
    const option = JSON.parse((await admin('offer', 'add-option', '--company', slug, '--offer', String(offer.offerId), '--name', 'Adult', '--price', '15.50', '--promotional-price', '12', '--json')).stdout);
    expect((await admin('offer', 'add-segment', '--company', slug, '--offer', String(offer.offerId), '--segment', 'paris')).code).toBe(0);
    expect((await admin('promo', 'create', '--company', slug, '--code', 'TENOFF', '--percent-off', '10')).code).toBe(0);
    const listed = JSON.parse((await admin('offer', 'list', '--company', slug, '--json')).stdout);
    expect(listed).toEqual([
      {
        offerId: offer.offerId, name: 'Tour', requiresShipping: true, currency: 'USD', segments: ['paris'],
        options: [{ offerOptionId: option.offerOptionId, name: 'Adult', price: '15.50', promotionalPrice: '12.00' }],
      },
    ]);
    expect(await admin('promo', 'create', '--company', slug, '--code', 'tenoff', '--money-off', '1')).toMatchObject({ code: 1, stderr: expect.stringContaining('already has') });
    expect(await admin('promo', 'create', '--company', slug, '--code', 'X', '--percent-off', '150')).toMatchObject({ code: 2 });
    expect(await admin('offer', 'add-option', '--company', slug, '--offer', '999999', '--name', 'x', '--price', '1')).toMatchObject({ code: 1 });
    expect(await admin('offer', 'add-segment', '--company', slug, '--offer', String(offer.offerId), '--segment', 'New York')).toMatchObject({ code: 2 });
    expect((await admin('promo', 'deactivate', '--company', slug, 'TenOff')).code).toBe(0);
    expect(JSON.parse((await admin('promo', 'list', '--company', slug, '--json')).stdout)).toEqual([
      { code: 'TENOFF', discountType: 'percent', amount: '10.00', active: false },
    ]);
    expect(await admin('promo', 'deactivate', '--company', slug, 'NONE')).toMatchObject({ code: 1 });
  });

  it('creates, lists and deactivates credit rules, refusing bad values', async () => {
    const slug = `credits-${Date.now()}`;
    expect((await admin('company', 'create', '--slug', slug, '--name', 'Credits Co')).code).toBe(0);
    const rule = JSON.parse((await admin('credit-rule', 'create', '--company', slug, '--name', 'Thanks', '--percent', '2.5', '--usable', 'after-next-purchase', '--to', 'referrer', '--json')).stdout);
    expect(rule).toMatchObject({ amountType: 'percent', amount: '2.50', usable: 'after-next-purchase', beneficiary: 'referrer' });
    expect((await admin('credit-rule', 'create', '--company', slug, '--name', 'Flat', '--money', '3')).stdout).toMatch(/^created credit rule .* \(3\.00 to the consumer, usable next purchase\)/);
    expect((await admin('credit-rule', 'deactivate', '--company', slug, rule.id)).code).toBe(0);
    expect(JSON.parse((await admin('credit-rule', 'list', '--company', slug, '--json')).stdout)).toEqual([
      { id: rule.id, name: 'Thanks', amountType: 'percent', amount: '2.50', triggerType: 'after_next_purchase', beneficiary: 'referrer', active: false },
      { id: expect.any(String), name: 'Flat', amountType: 'money', amount: '3.00', triggerType: 'for_next_purchase', beneficiary: 'consumer', active: true },
    ]);
    for (const bad of [['--percent', '150'], ['--money', '0'], ['--money', '1', '--percent', '1'], ['--money', '1', '--usable', 'soon'], ['--money', '1', '--to', 'friend']]) {
      expect(await admin('credit-rule', 'create', '--company', slug, '--name', 'Bad', ...bad), bad.join(' ')).toMatchObject({ code: 2 });
    }
    expect(await admin('credit-rule', 'deactivate', '--company', slug, '00000000-0000-0000-0000-000000000000')).toMatchObject({ code: 1 });
  });
});
