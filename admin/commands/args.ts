/** Checks of admin command arguments, each failing with a UsageError that says what is expected. */
import { UsageError } from '../context.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function requireText(value: unknown, option: string, maxLength = 200): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) {
    throw new UsageError(`${option} is required (1-${maxLength} characters)`);
  }
  return value.trim();
}

export function requireUuid(value: unknown, what: string): string {
  if (typeof value !== 'string' || !uuidPattern.test(value)) throw new UsageError(`${what} must be a UUID`);
  return value.toLowerCase();
}

/** A decimal amount as text, exact for SQL numeric (no float on the way). */
export function requireDecimal(value: unknown, option: string, maxDecimals: number): string {
  const pattern = new RegExp(`^\\d{1,12}(\\.\\d{1,${maxDecimals}})?$`);
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new UsageError(`${option} must be a non-negative number with at most ${maxDecimals} decimals, e.g. 25.00`);
  }
  return value;
}

/** A whole number from 1 to `max`, or undefined when the option was left out. */
export function wholeNumber(value: unknown, option: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || number < 1 || number > max) {
    throw new UsageError(`${option} must be a whole number from 1 to ${max}`);
  }
  return number;
}
