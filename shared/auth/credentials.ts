/** What a caller presents, per API, and how it is shown to the database: kind, public id and secret digest. */
import { sha256Hex } from '../crypto/index.ts';

import type { CredentialKind } from '../apis.ts';

export type { CredentialKind };

export interface PresentedCredential {
  kind: CredentialKind;
  /** The public identifier (DPD username, OAuth consumer key); absent for bearer secrets. */
  keyId?: string;
  /** The secret in clear. Lives only for the request; never logged or stored. */
  secret: string;
}

/** The claims that name a credential to private.caller_company_id() in the database. */
export interface CredentialClaims {
  cred_kind: CredentialKind;
  cred_id: string;
  cred_digest: string;
}

/**
 * The claims of each presented credential, digested once: admission, the token cache and the
 * token itself all ask for them in the same request. Keyed by the request's own credential object,
 * so nothing outlives the request that presented it.
 */
const digested = new WeakMap<PresentedCredential, Promise<CredentialClaims>>();

/** Digests the secret; a bearer secret is looked up by its own digest. */
export function credentialClaims(credential: PresentedCredential): Promise<CredentialClaims> {
  let claims = digested.get(credential);
  if (!claims) {
    claims = sha256Hex(credential.secret).then((digest) => ({ cred_kind: credential.kind, cred_id: credential.keyId ?? digest, cred_digest: digest }));
    digested.set(credential, claims);
  }
  return claims;
}
