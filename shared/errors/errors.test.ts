import { describe, expect, it } from 'vitest';
import { ApiError, apiField, boundIssues, maxListedIssues, type FieldIssue } from './index.ts';

const issue = (i: number, size = 10): FieldIssue => ({ field: `f${i}${'x'.repeat(size)}`, message: 'is not a known field', code: 'unknown_field' });

describe('bounded error answers', () => {
  it('lists at most 20 problems, each cut short, and says how many more there were', () => {
    const issues = Array.from({ length: 5000 }, (_, i) => issue(i, 1000));
    const error = new ApiError('invalid_input', 'The request is not valid.', { issues });
    expect(error.issues).toHaveLength(maxListedIssues + 1);
    expect(error.issues.slice(0, maxListedIssues).every((listed) => listed.field.length <= 200 && listed.field.endsWith('…'))).toBe(true);
    expect(error.issues.at(-1)).toMatchObject({ field: '(body)', message: 'has 4980 more problems not listed here' });
    expect(JSON.stringify(error.issues).length).toBeLessThan(6000);
  });

  it('leaves short lists alone and bounds a bounded list no further', () => {
    const few = [issue(1), issue(2)];
    expect(boundIssues(few)).toEqual(few);
    const bounded = boundIssues(Array.from({ length: 30 }, (_, i) => issue(i)));
    expect(boundIssues(bounded)).toEqual(bounded);
    expect(new ApiError('invalid_input', 'x', { issues: bounded }).issues.at(-1)?.message).toBe('has 10 more problems not listed here');
  });

  it('cuts a message that echoes a large value', () => {
    expect(new ApiError('invalid_input', `bad ${'x'.repeat(60_000)}`).message.length).toBeLessThanOrEqual(10_000);
  });
});

describe('apiField', () => {
  const names = { segment: 'additionalInfo.audienceSegment', 'lines[].product_code': 'items[].productId' };
  it('names a ledger path as the API does, keeping its indices', () => {
    expect(apiField(names, 'lines[3].product_code')).toBe('items[3].productId');
    expect(apiField(names, 'segment')).toBe('additionalInfo.audienceSegment');
  });
  it('leaves a path the table does not name, inherited names included', () => {
    expect(apiField(names, 'items[0].quantity')).toBe('items[0].quantity');
    expect(apiField(names, 'constructor')).toBe('constructor');
    expect(apiField(names, '__proto__')).toBe('__proto__');
  });
});
