/** The query of GET /purchases: every documented filter, checked, in the form the list RPC takes. */
import { ApiError, type FieldIssue } from '../../shared/errors/index.ts';
import { parseDpdTime } from './dates.ts';
import { statusOfCode } from './wire.ts';

const totalOps = ['eq', 'ne', 'gt', 'lt'] as const;

/** LIKE's wildcards taken literally, and lower case: the RPC matches `prefix%` case-insensitively. */
function likePrefix(value: string): string {
  return value.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

function positiveId(value: string | undefined, name: string, issues: FieldIssue[]): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9]\d{0,15}$/.test(value)) {
    issues.push({ field: name, message: 'must be a positive whole number' });
    return undefined;
  }
  return Number(value);
}

/** Arguments for dpd_list_purchases, or ApiError invalid_input naming each bad parameter. */
export function readListQuery(query: Record<string, string>, nowSeconds?: number) {
  const issues: FieldIssue[] = [];
  const pageText = query.page ?? '1';
  const page = /^[1-9]\d{0,6}$/.test(pageText) ? Number(pageText) : (issues.push({ field: 'page', message: 'must be a whole number of at least 1' }), 1);

  let status: string | undefined;
  if (query.status !== undefined && query.status !== '') {
    status = statusOfCode[query.status.toUpperCase()];
    if (!status) issues.push({ field: 'status', message: `must be one of ${Object.keys(statusOfCode).join(', ')}` });
  }
  const time = (name: 'date_min' | 'date_max') => {
    const text = query[name];
    if (text === undefined || text.trim() === '') return undefined;
    const seconds = parseDpdTime(text, nowSeconds);
    if (seconds === null) issues.push({ field: name, message: `cannot be read as a date or time: ${JSON.stringify(text)}` });
    return seconds ?? undefined;
  };
  const totalOp = (query.total_op ?? 'eq').toLowerCase();
  if (!(totalOps as readonly string[]).includes(totalOp)) issues.push({ field: 'total_op', message: `must be one of ${totalOps.join(', ')}` });
  let total: string | undefined;
  if (query.total !== undefined && query.total !== '') {
    if (/^\d{1,12}(\.\d{1,2})?$/.test(query.total)) total = query.total;
    else issues.push({ field: 'total', message: 'must be an amount such as 19.99' });
  }
  const ship = query.ship;
  const unshipped = ship !== undefined && !['', '0', 'false', 'no', 'off'].includes(ship.toLowerCase());

  const args = {
    page,
    status,
    product_number: positiveId(query.product_id, 'product_id', issues),
    storefront_number: positiveId(query.storefront_id, 'storefront_id', issues),
    // The ledger's subscriber is the customer who bought: both ids name the same record.
    customer_number: positiveId(query.customer_id, 'customer_id', issues) ?? positiveId(query.subscriber_id, 'subscriber_id', issues),
    email_prefix: query.customer_email ? likePrefix(query.customer_email) : undefined,
    first_name_prefix: query.customer_first_name ? likePrefix(query.customer_first_name) : undefined,
    last_name_prefix: query.customer_last_name ? likePrefix(query.customer_last_name) : undefined,
    created_from: time('date_min'),
    created_to: time('date_max'),
    total,
    total_op: totalOp,
    unshipped,
  };
  if (query.customer_id && query.subscriber_id && query.customer_id !== query.subscriber_id) {
    issues.push({ field: 'subscriber_id', message: 'names the customer, so it cannot differ from customer_id' });
  }
  if (issues.length > 0) throw new ApiError('invalid_input', issues.map((i) => `${i.field} ${i.message}`).join('; '), { issues });
  return args;
}
