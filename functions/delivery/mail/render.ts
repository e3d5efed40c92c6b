/**
 * The emails' words: a text and an HTML part for each template, from the facts the database fixed
 * when the message was written (supabase/migrations/*_deliveries.sql, private.email_content).
 * Every value is escaped in the HTML part (hono/html).
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { EmailMessage } from '../messages.ts';

export interface RenderedEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface RenderSettings {
  /** Domain of a company's default sender address. */
  mailFromDomain: string;
  /** Where download links point. */
  downloadBaseUrl: string;
}

/** hono's html tag (values escaped, arrays joined); synchronous, as no value here is a promise. */
const h = (strings: TemplateStringsArray, ...values: unknown[]) => html(strings, ...values) as HtmlEscapedString;

/** `"Company" <address>`: the company's own address, else <slug>@ the platform's mail domain. */
export function senderOf(company: EmailMessage['company'], mailFromDomain: string): string {
  const name = company.name.replace(/["\\\r\n]/g, '');
  return `"${name}" <${company.email_from ?? `${company.slug}@${mailFromDomain}`}>`;
}

function day(iso: unknown): string {
  return typeof iso === 'string' ? iso.slice(0, 10) : '';
}

function page(title: string, body: HtmlEscapedString): string {
  return h`<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 40rem; margin: 2rem auto; padding: 0 1rem">
${body}
</body></html>`.toString();
}

interface DeliveryItem {
  number: number;
  name: string;
  quantity: number;
  download_limit: number;
  expires_at: string | null;
  keys: string[];
}

function dpdDelivery(message: EmailMessage, settings: RenderSettings): Omit<RenderedEmail, 'from' | 'to'> {
  const content = message.content as {
    purchase: { number: number; purchased_at: string; salt: string; buyer: string | null };
    refulfilled: boolean;
    items: DeliveryItem[];
  };
  const { purchase } = content;
  const link = (item: DeliveryItem) => `${settings.downloadBaseUrl.replace(/\/+$/, '')}/${purchase.salt}/${item.number}`;
  const limit = (item: DeliveryItem) => (item.download_limit === 0 ? 'unlimited downloads' : `${item.download_limit} downloads`);
  const expiry = (item: DeliveryItem) => (item.expires_at ? `until ${day(item.expires_at)}` : 'with no expiry');
  const subject = content.refulfilled
    ? `New keys and downloads for your purchase #${purchase.number} from ${message.company.name}`
    : `Your downloads from ${message.company.name} (purchase #${purchase.number})`;
  const greeting = purchase.buyer ? `Hello ${purchase.buyer},` : 'Hello,';
  const intro = content.refulfilled
    ? `Your purchase #${purchase.number} of ${day(purchase.purchased_at)} was fulfilled again: here are its downloads and new keys.`
    : `Your purchase #${purchase.number} of ${day(purchase.purchased_at)} was reactivated: here are its downloads and keys.`;
  const text = [
    greeting,
    '',
    intro,
    '',
    ...content.items.flatMap((item) => [
      `${item.name} × ${item.quantity}`,
      `  Download: ${link(item)} (${limit(item)}, ${expiry(item)})`,
      ...item.keys.map((key) => `  Key: ${key}`),
      '',
    ]),
    `${message.company.name}`,
  ].join('\n');
  const body = h`<p>${greeting}</p><p>${intro}</p>
${
  content.items.map(
    (item) => h`<h3>${item.name} × ${item.quantity}</h3>
<p><a href="${link(item)}">Download</a> (${limit(item)}, ${expiry(item)})</p>
${item.keys.length ? h`<ul>${item.keys.map((key) => h`<li>Key: <code>${key}</code></li>`)}</ul>` : ''}`,
  )
}
<p>${message.company.name}</p>`;
  return { subject, text, html: page(subject, body) };
}

interface OrderLine {
  name: string;
  quantity: number;
  unit_price: string;
  amount: string;
  gift_to: string | null;
}

function orderConfirmation(message: EmailMessage): Omit<RenderedEmail, 'from' | 'to'> {
  const content = message.content as {
    order: { number: number; purchased_at: string; currency: string; subtotal: string; discount: string; credit_value_used: string; charged: string; credits_awarded: string };
    consumer: string | null;
    items: OrderLine[];
  };
  const { order } = content;
  const money = (amount: string) => `${amount} ${order.currency}`;
  const subject = `Your order #${order.number} with ${message.company.name} is confirmed`;
  const greeting = content.consumer ? `Hello ${content.consumer},` : 'Hello,';
  const lineText = (line: OrderLine) =>
    `${line.name} × ${line.quantity} at ${money(line.unit_price)}: ${money(line.amount)}${line.gift_to ? ` (a gift to ${line.gift_to})` : ''}`;
  const totals: Array<[string, string]> = [
    ['Subtotal', money(order.subtotal)],
    ...(order.discount !== '0.00' ? [['Promotions', `−${money(order.discount)}`] as [string, string]] : []),
    ...(order.credit_value_used !== '0.00' ? [['Credits used', `−${money(order.credit_value_used)}`] as [string, string]] : []),
    ['Charged', money(order.charged)],
  ];
  const credits = order.credits_awarded !== '0.00' ? `This order earned you ${money(order.credits_awarded)} in credits.` : null;
  const text = [
    greeting,
    '',
    `Thank you for your order #${order.number} of ${day(order.purchased_at)}.`,
    '',
    ...content.items.map(lineText),
    '',
    ...totals.map(([label, value]) => `${label}: ${value}`),
    ...(credits ? ['', credits] : []),
    '',
    message.company.name,
  ].join('\n');
  const body = h`<p>${greeting}</p><p>Thank you for your order #${order.number} of ${day(order.purchased_at)}.</p>
<table cellpadding="4">${content.items.map(
    (line) => h`<tr><td>${line.name}${line.gift_to ? h` <em>(a gift to ${line.gift_to})</em>` : ''}</td><td>× ${line.quantity}</td><td>${money(line.unit_price)}</td><td align="right">${money(line.amount)}</td></tr>`,
  )}
${totals.map(([label, value]) => h`<tr><td colspan="3"><strong>${label}</strong></td><td align="right">${value}</td></tr>`)}</table>
${credits ? h`<p>${credits}</p>` : ''}
<p>${message.company.name}</p>`;
  return { subject, text, html: page(subject, body) };
}

/** Who sent a gift notice, and that the words in it are the giver's. */
function sentOnBehalf(company: string, giver: string): string {
  return `${company} sent this email for ${giver}; any message in it is ${giver}'s own words.`;
}

function giftNotice(message: EmailMessage): Omit<RenderedEmail, 'from' | 'to'> {
  const content = message.content as {
    order: { number: number; purchased_at: string };
    from: string | null;
    gifts: Array<{ name: string; quantity: number; recipient: string | null; gift_message: string | null }>;
  };
  const giver = content.from ?? 'Someone';
  const recipient = content.gifts[0]?.recipient;
  const subject = `${giver} sent you a gift from ${message.company.name}`;
  const greeting = recipient ? `Hello ${recipient},` : 'Hello,';
  const text = [
    greeting,
    '',
    `${giver} sent you a gift (order #${content.order.number}):`,
    '',
    ...content.gifts.flatMap((gift) => [`${gift.name} × ${gift.quantity}`, ...(gift.gift_message ? [`  ${giver} wrote: “${gift.gift_message}”`] : [])]),
    '',
    sentOnBehalf(message.company.name, giver),
  ].join('\n');
  // The giver's message is their own text, escaped and as written: no link or markup of ours around
  // anything in it, and the mail says who sent it and for whom.
  const body = h`<p>${greeting}</p><p>${giver} sent you a gift (order #${content.order.number}):</p>
<ul>${content.gifts.map((gift) => h`<li>${gift.name} × ${gift.quantity}${gift.gift_message ? h`<p>${giver} wrote:</p><blockquote>${gift.gift_message}</blockquote>` : ''}</li>`)}</ul>
<p>${sentOnBehalf(message.company.name, giver)}</p>`;
  return { subject, text, html: page(subject, body) };
}

function endpointDisabled(message: EmailMessage): Omit<RenderedEmail, 'from' | 'to'> {
  const content = message.content as { endpoint: { id: string; url: string }; cause: string; failing_since: string | null; disabled_at: string };
  const subject = `Webhook endpoint disabled: ${content.endpoint.url}`;
  const enable = `npm run admin -- webhook enable --id ${content.endpoint.id}`;
  const redeliver = `npm run admin -- webhook redeliver --endpoint ${content.endpoint.id} --dead`;
  const since = content.failing_since ? ` since ${content.failing_since}` : '';
  const text = [
    `The webhook endpoint ${content.endpoint.url} (${content.endpoint.id}) was disabled: ${content.cause}.`,
    `It had been failing${since}. No events are sent to it until it is enabled again.`,
    '',
    'Once it answers 2xx again, re-enable it:',
    `  ${enable}`,
    'and send it what it missed:',
    `  ${redeliver}`,
  ].join('\n');
  const body = h`<p>The webhook endpoint <code>${content.endpoint.url}</code> (${content.endpoint.id}) was disabled: ${content.cause}.</p>
<p>It had been failing${since}. No events are sent to it until it is enabled again.</p>
<p>Once it answers 2xx again, re-enable it:</p><pre>${enable}</pre><p>and send it what it missed:</p><pre>${redeliver}</pre>`;
  return { subject, text, html: page(subject, body) };
}

export function renderEmail(message: EmailMessage, settings: RenderSettings): RenderedEmail {
  const parts = (() => {
    switch (message.template) {
      case 'purchase_reactivated':
      case 'purchase_refulfilled':
        return dpdDelivery(message, settings);
      case 'publisher_order_confirmation':
        return orderConfirmation(message);
      case 'publisher_gift_notification':
        return giftNotice(message);
      case 'webhook_endpoint_disabled':
        return endpointDisabled(message);
      default:
        throw new Error(`no template named ${message.template}`);
    }
  })();
  return { from: senderOf(message.company, settings.mailFromDomain), to: message.to, ...parts };
}
