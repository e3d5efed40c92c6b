/**
 * The local platform's secrets: public on purpose (they are in this repository, like the Supabase
 * CLI's own local JWT secret), so that `npm start` needs no setup. A deployed worker holding one of
 * them would accept tokens anyone can sign: it refuses to serve instead (shared/env).
 */
export const publicLocalSecrets = {
  /** The Supabase CLI's local JWT secret, which `supabase start` uses as well (the legacy HS256 secret). */
  jwtSecret: 'super-secret-jwt-token-with-at-least-32-characters-long',
  oauthConsumerSecretKey: 'H6JsjtySxE+5CrVol4Y6QoLZmvHfq+6KYuujBxWkehU=',
  /** Tags the credentials the platform issues (shared/auth/key-tag.ts). */
  credentialTagKey: '47Scq3/m67OIzHI0jK2yzAgzpV4jLr+ryeTm/nObGnA=',
  /** Seals webhook endpoints' signing secrets. */
  webhookSecretKey: 'q3o0wq7m8dJm0Xk5oEJ0c7r3G9JzO4Yk1Vb0k6l2N8s=',
  /** The local mail catcher's Resend API key. */
  resendApiKey: 're_local_mail_catcher',
  /** The local Stripe-compatible server's secret key. */
  stripeSecretKey: 'sk_test_local_stripe_server',
} as const;

/**
 * The workers' local signing key (ES256): its public half is in the local PostgREST's key set. Its
 * private part stands alone so the workers, which only check they were not given it, carry no more.
 */
export const publicLocalSigningKeyD = 'eDP7ka-CYHwnXwPQEdxtg-Fb0xnz1CJ-XJWnej5jy98';
export const publicLocalSigningKey = {
  kty: 'EC',
  crv: 'P-256',
  x: 'j5JZ6NYb2xjy-rTjgD0lonSYw3lgDeA7r3awtVeE0aY',
  y: 'kwCG3Jchi2XuvVExDx3Noq2wuwlUusDAOJlzVWmJJHU',
  d: publicLocalSigningKeyD,
  kid: 'local-es256',
  alg: 'ES256',
} as const;
