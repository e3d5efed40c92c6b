import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { listPurchasesRpc as dpdList } from '../../functions/dpd/rpcs.ts';
import { orderRpc } from '../../functions/groupcommerce/rpcs.ts';
import { listPurchasesRpc as kitList } from '../../functions/kit/rpcs.ts';
import { listRewardEventsRpc } from '../../functions/operations/rpcs.ts';
import { conforms } from './conforms.ts';

const schemas = { dpdList: dpdList.result, kitList: kitList.result, order: orderRpc.result, rewardEvents: listRewardEventsRpc.result };

describe('conforms', () => {
  it('never passes what zod refuses, whatever JSON comes', () => {
    for (const schema of Object.values(schemas)) {
      fc.assert(fc.property(fc.jsonValue(), (value) => !conforms(schema, value) || z.safeParse(schema, value).success));
    }
  });

  it('agrees with zod exactly on answers of nearly the right shape', () => {
    // Reward events whose every field is any of the JSON scalars: right often enough, wrong in every way.
    const scalar = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('fixed', 'percentage', '2026-12-07T13:28:12+00:00'));
    const event = fc.record(
      { id: scalar, purchase_id: scalar, lead_id: scalar, trigger_id: scalar, reward_type: scalar, amount: scalar, currency: scalar, created_at: scalar },
      { requiredKeys: [] },
    );
    const page = fc.record({ reward_events: fc.array(event, { maxLength: 3 }), has_older: scalar });
    fc.assert(fc.property(page, (value) => conforms(schemas.rewardEvents, value) === z.safeParse(schemas.rewardEvents, value).success), { numRuns: 2000 });
  });

  it('passes what zod passes and refuses what zod refuses, field by field', () => {
    const line = { quantity: 1, line_id: 'l1', unit_price: 10.5, sku: null, name: 'Widget', product_code: 'w-1' };
    const purchase = {
      number: 7, external_id: 't-1', status: 'paid', currency: 'USD', purchased_at: '2026-12-07T13:28:12+00:00',
      subtotal: 10.5, discount: 0, tax: 0, total: 10.5, customer: { number: 3, email: 'a@example.com' }, lines: [line],
    };
    const page = { purchases: [purchase], newest: 7, oldest: 7, has_newer: false, has_older: true, count: null };
    const variants: Array<[string, unknown]> = [
      ['as it is', page],
      ['an extra field', { ...page, extra: 1 }],
      ['a status outside the ledger\'s', { ...page, purchases: [{ ...purchase, status: 'settled' }] }],
      ['an amount as text', { ...page, purchases: [{ ...purchase, total: '10.50' }] }],
      ['a line without its name', { ...page, purchases: [{ ...purchase, lines: [{ ...line, name: undefined }] }] }],
      ['no customer', { ...page, purchases: [{ ...purchase, customer: null }] }],
      ['a customer without a number', { ...page, purchases: [{ ...purchase, customer: { email: 'a@example.com' } }] }],
      ['lines not a list', { ...page, purchases: [{ ...purchase, lines: {} }] }],
      ['no page at all', null],
    ];
    for (const [what, value] of variants) expect(conforms(kitList.result, value), what).toBe(z.safeParse(kitList.result, value).success);
    expect(variants.filter(([, value]) => conforms(kitList.result, value)).map(([what]) => what)).toEqual(['as it is', 'an extra field', 'no customer']);
  });

  it('leaves to zod the checks only zod runs (a pattern), and says so by not conforming', () => {
    const outcome = { outcome: 'placed', currency: 'USD', charge_amount: '1.00', credit_value_used: '0.00', credits_awarded: '0.00', duplicate_number: null };
    expect(conforms(orderRpc.result, outcome)).toBe(true);
    expect(conforms(orderRpc.result, { ...outcome, charge_amount: 'one' })).toBe(false);
    expect(z.safeParse(orderRpc.result, { ...outcome, charge_amount: 'one' }).success).toBe(false);
  });
});
