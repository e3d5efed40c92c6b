/** Validation shared by the five APIs: common field schemas and one way to report what is wrong. */
export * from './schemas.ts';
export * from './issues.ts';
export * from './stored-text.ts';
export { countryCodes, currencyCodes } from './iso-codes.ts';
