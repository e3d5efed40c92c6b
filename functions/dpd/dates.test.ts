/** DPD's date parameters read as PHP's strtotime reads them, inside workerd. */
import { describe, expect, it } from 'vitest';
import { parseDpdTime } from './dates.ts';

const now = Date.UTC(2026, 10, 22, 12, 0, 0) / 1000; // Sunday 22 November 2026, 12:00 UTC

describe('parseDpdTime', () => {
  it.each([
    ['2024-01-05', Date.UTC(2024, 0, 5) / 1000],
    ['2024-01-05T10:00:00Z', Date.UTC(2024, 0, 5, 10) / 1000],
    ['2024-01-05 10:00:00', Date.UTC(2024, 0, 5, 10) / 1000],
    ['2024-01-05T10:00:00+02:00', Date.UTC(2024, 0, 5, 8) / 1000],
    ['@1700000000', 1700000000],
    ['1700000000', 1700000000],
    ['yesterday', Date.UTC(2026, 10, 21) / 1000],
    ['2 days ago', now - 2 * 86400],
    ['last monday', Date.UTC(2026, 10, 16) / 1000],
    ['+1 week', now + 7 * 86400],
    ['January 5 2024', Date.UTC(2024, 0, 5) / 1000],
    ['Fri, 05 Jan 2024 10:00:00 +0000', Date.UTC(2024, 0, 5, 10) / 1000],
  ])('%s', (text, expected) => {
    expect(parseDpdTime(text, now)).toBe(expected);
  });

  it('refuses what is not a time', () => {
    for (const text of ['whenever', 'next blursday', '2024-13-45', '']) expect(parseDpdTime(text, now), text).toBeNull();
  });
});
