/** Credential extraction for each auth style the five APIs use, and how credentials are named to the database. */
export * from './credentials.ts';
export * from './extract.ts';
export * from './oauth-header.ts';
export * from './oauth1.ts';
