/**
 * DPD's error dialect. DPD answers with a `status` word (the reference shows `{"status":"NOTFOUND"}`
 * for a page past the end); every error here is `{ "status": WORD, "message": text }`, with
 * `errors` listing field problems, and a 401 carries the Basic challenge DPD's clients expect.
 */
import type { ErrorDialect } from '../../shared/app/index.ts';
import type { ErrorKind, Wording } from '../../shared/errors/index.ts';

/** DPD's words for every reason an error carries (the API document reads them too). */
export const dpdWording = {
  missing_credential: 'HTTP Basic credentials (username and API password) are required.',
  invalid_credential: 'The username or API password is not valid.',
  purchase_not_found: ({ purchase }) => `There is no purchase ${purchase}.`,
  no_recipient: 'The purchase has no email address; give customer_email.',
} satisfies Wording;

const statusWordOfKind: Record<ErrorKind, string> = {
  invalid_input: 'BADREQUEST',
  unprocessable: 'BADREQUEST',
  payment_required: 'BADREQUEST',
  unsupported_media_type: 'BADREQUEST',
  unauthenticated: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOTFOUND',
  method_not_allowed: 'METHODNOTALLOWED',
  conflict: 'CONFLICT',
  payload_too_large: 'TOOLARGE',
  rate_limited: 'RATELIMITED',
  not_implemented: 'NOTIMPLEMENTED',
  unavailable: 'UNAVAILABLE',
  internal: 'ERROR',
};

export const dpdErrors: ErrorDialect = {
  wording: dpdWording,
  // DPD's clients read the message: it names each bad parameter.
  invalidMessage: (issues) => issues.map((issue) => `${issue.field} ${issue.message}`).join('; '),
  render(c, error) {
    if (error.kind === 'unauthenticated') c.header('WWW-Authenticate', 'Basic realm="DPD API", charset="UTF-8"');
    // DPD answers a missing purchase or page with exactly {"status":"NOTFOUND"}.
    if (error.kind === 'not_found') return c.json({ status: 'NOTFOUND' }, 404);
    const body: Record<string, unknown> = { status: statusWordOfKind[error.kind], message: error.message };
    if (error.issues.length > 0) body.errors = error.issues.map(({ field, message, code }) => ({ field, message, code }));
    const status = error.kind === 'unprocessable' || error.kind === 'unsupported_media_type' ? 400 : error.status;
    return c.json(body, status);
  },
};
