/**
 * `date_min` / `date_max` as DPD takes them: anything PHP's strtotime accepts (ISO dates and
 * times, `@<unix>`, `yesterday`, `2 days ago`, `last monday`, `+1 week`, `January 5 2024`,
 * RFC 2822), through locutus' port of strtotime, and a bare UNIX timestamp, which clients send
 * when they poll with the last `created_at` they saw.
 */
import { strtotime } from 'locutus/php/datetime/strtotime';

/** UNIX seconds for `text`, relative to `nowSeconds`; null when it cannot be read as a time. */
export function parseDpdTime(text: string, nowSeconds = Math.floor(Date.now() / 1000)): number | null {
  const value = text.trim();
  if (value === '') return null;
  if (/^\d{1,12}$/.test(value)) return Number(value);
  const seconds = strtotime(value, nowSeconds);
  return typeof seconds === 'number' && Number.isFinite(seconds) ? seconds : null;
}
