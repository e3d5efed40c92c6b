import { describe, expect, it } from 'vitest';
import { worded, type Wording } from '../errors/index.ts';
import { toApiError } from './rpc.ts';

const pgError = (code: string, message = 'm', hint = '', details = '') => ({ code, message, hint, details, name: 'PostgrestError' }) as never;

describe('toApiError', () => {
  it('maps our PTxxx codes to kinds and keeps the reason', () => {
    const error = toApiError(pgError('PT401', 'invalid credential', 'invalid_credential'), 401);
    expect([error.kind, error.message, error.reason]).toEqual(['unauthenticated', 'invalid credential', 'invalid_credential']);
    expect(toApiError(pgError('PT403'), 403).kind).toBe('forbidden');
    expect(toApiError(pgError('23505'), 409).kind).toBe('conflict');
  });

  it('treats no answer, gateway failures, timeouts and connection loss as unavailable', () => {
    expect(toApiError(pgError(''), 0).kind).toBe('unavailable');
    expect(toApiError(pgError(''), 502).kind).toBe('unavailable');
    // PostgREST's answer when PostgreSQL's connection dies mid-call (PostgreSQL killed): 400, no code, no message.
    expect(toApiError(pgError('', ''), 400).kind).toBe('unavailable');
    // The gateway's own refusal (no PostgREST code): the deployment's fault.
    expect(toApiError(pgError('', 'Invalid API key'), 401).kind).toBe('unavailable');
    expect(toApiError(pgError('57014'), 500).kind).toBe('unavailable');
    expect(toApiError(pgError('08006'), 500).kind).toBe('unavailable');
    expect(toApiError(pgError('40P01', 'deadlock detected'), 500).kind).toBe('unavailable');
    expect(toApiError(pgError('PGRST000'), 503).retryAfterSeconds).toBe(5);
    // The worker's token refused (its signing key not in the project's key set).
    expect(toApiError(pgError('PGRST301', 'No suitable key or wrong key type'), 401).kind).toBe('unavailable');
    // PostgREST 13+ words a claim it cannot take (a wrong aud, say) as PGRST303.
    expect(toApiError(pgError('PGRST303', 'JWT claims validation or parsing failed'), 401).kind).toBe('unavailable');
  });

  it('answers values Postgres cannot take as invalid input', () => {
    const error = toApiError(pgError('22P05', 'unsupported Unicode escape sequence'), 400);
    expect([error.kind, error.message]).toEqual(['invalid_input', 'A value in the request cannot be stored.']);
  });

  it('answers constraint violations and requests PostgREST cannot read as invalid input, naming no constraint', () => {
    for (const code of ['23514', '23502', '23503']) {
      const error = toApiError(pgError(code, 'new row for relation "stored_cards" violates check constraint "stored_cards_expiry_year_check"'), 400);
      expect([error.kind, error.message]).toEqual(['invalid_input', 'A value in the request cannot be stored.']);
    }
    expect(toApiError(pgError('PGRST102', 'Empty or invalid json'), 400).kind).toBe('invalid_input');
    expect(toApiError(pgError('PGRST202', 'Could not find the function'), 404).kind).toBe('internal');
  });

  it('hides anything else as internal', () => {
    const error = toApiError(pgError('42P01', 'relation "ledger.x" does not exist'), 400);
    expect(error.kind).toBe('internal');
    expect(error.message).not.toContain('ledger');
  });

  it('carries the reason and the values the database named, for the API to word', () => {
    const wording: Wording = {
      nonce_used: ({ nonce }) => `The oauth_nonce ${nonce} was already used.`,
      unknown_offer: ({ offer }) => `there is no offer ${offer}`,
      total_too_large: "the order's total is too large",
    };
    const used = worded(toApiError(pgError('PT401', 'nonce used', 'nonce_used', '{"nonce": "n-1"}'), 401), wording);
    expect([used.kind, used.reason, used.message]).toEqual(['unauthenticated', 'nonce_used', 'The oauth_nonce n-1 was already used.']);
    const issues = JSON.stringify([
      { path: 'lines[0].offer_number', reason: 'unknown_offer', values: { offer: 42 } },
      { path: 'lines', reason: 'total_too_large' },
      { path: 'customer.email', reason: 'not_worded_here', code: 'required' },
    ]);
    const refused = worded(toApiError(pgError('PT400', 'order cannot be placed', 'field_issues', issues), 400), wording);
    expect(refused.reason).toBeUndefined();
    expect(refused.issues.map(({ field, message, code }) => ({ field, message, code }))).toEqual([
      // The ledger's paths: the API's dialect names them as its wire does (inDialect).
      { field: 'lines[0].offer_number', message: 'there is no offer 42', code: 'invalid' },
      { field: 'lines', message: "the order's total is too large", code: 'invalid' },
      // A reason the API does not word is shown as the reason itself (the wording test keeps this from happening).
      { field: 'customer.email', message: 'not_worded_here', code: 'required' },
    ]);
  });
});
