import { describe, expect, it } from 'vitest';
import type { Logger } from '../../shared/logging/index.ts';
import { testProcessor } from '../../shared/payments/index.ts';
import { toApiError } from '../../shared/db/rpc.ts';
import { ApiError, unavailable } from '../../shared/errors/index.ts';
import { paymentProcessorFor, placementRefused } from './orders.ts';

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = { lines, log: (_level: string, message: string) => void lines.push(message), child: () => log };
  return log as Logger & { lines: string[] };
}

describe('paymentProcessorFor', () => {
  it('refuses Stripe without its secret key, saying why once, and never builds a client', () => {
    const log = recordingLog();
    expect(paymentProcessorFor({ PAYMENT_PROCESSOR: 'stripe' } as never, log)).toBeNull();
    expect(paymentProcessorFor({ PAYMENT_PROCESSOR: 'stripe' } as never, log)).toBeNull();
    expect(log.lines).toEqual(['PAYMENT_PROCESSOR is stripe but STRIPE_SECRET_KEY is not set: card orders are refused']);
  });

  it('gives Stripe with its key, the test processor by name, and nothing for an unknown name', () => {
    const log = recordingLog();
    expect(paymentProcessorFor({ PAYMENT_PROCESSOR: 'stripe', STRIPE_SECRET_KEY: 'sk_test_x' } as never, log)).toMatchObject({ chargeCard: expect.any(Function) });
    expect(paymentProcessorFor({ PAYMENT_PROCESSOR: 'test', LOCAL_DEVELOPMENT: 'true' } as never, log)).toBe(testProcessor);
    expect(paymentProcessorFor({ PAYMENT_PROCESSOR: 'braintree' } as never, log)).toBeNull();
    expect(paymentProcessorFor({} as never, log)).toBeNull();
    expect(log.lines).toEqual(['PAYMENT_PROCESSOR names no known processor (stripe or test): card orders are refused']);
  });

  it('refuses the test processor outside local development, saying why once', () => {
    const log = recordingLog();
    expect(paymentProcessorFor({ PAYMENT_PROCESSOR: 'test' } as never, log)).toBeNull();
    expect(paymentProcessorFor({ PAYMENT_PROCESSOR: 'test', LOCAL_DEVELOPMENT: 'false' } as never, log)).toBeNull();
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatch(/^PAYMENT_PROCESSOR is test .* outside local development/);
  });
});

describe('placementRefused', () => {
  it('gives a charge back at once only when the database refused the order on purpose', () => {
    expect(placementRefused(new ApiError('conflict', 'offer sold out'))).toBe(true);
    expect(placementRefused(new ApiError('invalid_input', 'A value in the request cannot be stored.'))).toBe(true);
    expect(placementRefused(new ApiError('unprocessable', 'credits changed'))).toBe(true);
  });

  it('leaves to reconciliation what may have come after the order committed', () => {
    // PostgREST's answer to a connection lost mid-call (400, no code): mapped as unavailable.
    expect(placementRefused(toApiError({ code: '', message: '', details: '', hint: '', name: 'PostgrestError' } as never, 400))).toBe(false);
    expect(placementRefused(unavailable())).toBe(false);
    expect(placementRefused(new ApiError('internal', 'The request could not be completed.'))).toBe(false);
    expect(placementRefused(new TypeError('a fault of our own'))).toBe(false);
  });
});
