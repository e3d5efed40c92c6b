import { describe, expect, it } from 'vitest';
import { toApiError } from './rpc.ts';

const pgError = (code: string, message = 'm', hint = '') => ({ code, message, hint, details: '', name: 'PostgrestError' }) as never;

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
    expect(toApiError(pgError('57014'), 500).kind).toBe('unavailable');
    expect(toApiError(pgError('08006'), 500).kind).toBe('unavailable');
    expect(toApiError(pgError('PGRST000'), 503).retryAfterSeconds).toBe(5);
  });

  it('answers values Postgres cannot take as invalid input', () => {
    const error = toApiError(pgError('22P05', 'unsupported Unicode escape sequence'), 400);
    expect([error.kind, error.message]).toEqual(['invalid_input', 'A value in the request cannot be stored.']);
  });

  it('hides anything else as internal', () => {
    const error = toApiError(pgError('42P01', 'relation "ledger.x" does not exist'), 400);
    expect(error.kind).toBe('internal');
    expect(error.message).not.toContain('ledger');
  });
});
