/**
 * The local mail catcher: a stand-in for the mail provider under npm start, as the Supabase CLI's
 * local stack has one. It answers Resend's send endpoint, so the delivery worker runs its
 * production adapter unchanged (functions/delivery/mail/resend.ts), and keeps what it is sent for a
 * person (a web page) and for tests (JSON).
 *
 *   POST /emails          Resend's "Send Email" (https://resend.com/docs/api-reference/emails/send-email):
 *                         a Bearer API key; JSON with from, to (a string or up to 50), subject,
 *                         html and/or text, headers; answers 200 { id }. Errors in Resend's shape
 *                         { statusCode, name, message } (https://resend.com/docs/api-reference/errors):
 *                         401 missing_api_key, 403 invalid_api_key, 422 missing_required_field or
 *                         validation_error. An Idempotency-Key seen in the last 24 hours with the
 *                         same body answers the first id and catches nothing new; with another body,
 *                         409 invalid_idempotent_request
 *                         (https://resend.com/docs/dashboard/emails/idempotency-keys); a key longer than
 *                         the 256 characters Resend's description allows, 400 invalid_idempotency_key.
 *                         Every body is checked against the request schema Resend publishes
 *                         (resend-contract.json, extracted from the public resend/resend-openapi
 *                         repository with its provenance): what it refuses is a 422 validation_error
 *                         naming the field.
 *   GET  /                the caught mail, newest first, each with its text and HTML
 *   GET  /messages        the caught mail as JSON, oldest first (?to=address: only to that address)
 *   DELETE /messages      forget every message
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { PlatformError } from './errors.ts';

/** POST /emails as Resend describes it, and a validator of its request schema. */
const contract = JSON.parse(readFileSync(new URL('./resend-contract.json', import.meta.url), 'utf8')) as {
  sendEmail: { idempotencyKey: { schema: { maxLength: number } }; request: object; response: object };
  components: object;
};
const validSendEmail = new Ajv({ strict: false, validateFormats: false, allErrors: false }).compile({ ...contract.sendEmail.request, components: contract.components });
const idempotencyKeyLength = contract.sendEmail.idempotencyKey.schema.maxLength;

export interface CaughtMail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string | null;
  html: string | null;
  headers: Record<string, string>;
  created_at: string;
}

export interface MailCatcher {
  /** The web page. */
  url: string;
  /** The JSON list of caught messages. */
  messagesUrl: string;
  /** The Resend-compatible API base the delivery worker sends to. */
  apiUrl: string;
  /** Stops listening (the provider is "down"); what was caught is kept. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

const maxKept = 2000;
const idempotencyWindowMs = 24 * 60 * 60 * 1000;

function resendError(res: ServerResponse, statusCode: number, name: string, message: string): void {
  res.writeHead(statusCode, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode, name, message }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const address = /^(?:[^<>@\s]+@[^<>@\s]+|[^<>]*<[^<>@\s]+@[^<>@\s]+>)$/;

/** The caught message from a send request, or the Resend error it would get. */
function acceptEmail(body: unknown): CaughtMail | { status: number; name: string; message: string } {
  if (!body || typeof body !== 'object') return { status: 422, name: 'validation_error', message: 'The body must be a JSON object.' };
  const email = body as Record<string, unknown>;
  for (const field of ['from', 'to', 'subject'] as const) {
    if (email[field] === undefined || email[field] === '') return { status: 422, name: 'missing_required_field', message: `Missing \`${field}\` field.` };
  }
  const to = Array.isArray(email.to) ? email.to : [email.to];
  if (to.length > 50) return { status: 422, name: 'validation_error', message: 'Too many recipients: `to` takes at most 50.' };
  for (const value of [email.from, ...to]) {
    if (typeof value !== 'string' || !address.test(value.trim())) {
      return { status: 422, name: 'validation_error', message: `Invalid address: ${JSON.stringify(value)}. Use email@example.com or Name <email@example.com>.` };
    }
  }
  if (typeof email.subject !== 'string') return { status: 422, name: 'validation_error', message: '`subject` must be a string.' };
  if (typeof email.html !== 'string' && typeof email.text !== 'string') {
    return { status: 422, name: 'validation_error', message: 'Give `html` or `text` (or both).' };
  }
  return {
    id: randomUUID(),
    from: email.from as string,
    to: to as string[],
    subject: email.subject,
    text: typeof email.text === 'string' ? email.text : null,
    html: typeof email.html === 'string' ? email.html : null,
    headers: email.headers && typeof email.headers === 'object' ? (email.headers as Record<string, string>) : {},
    created_at: new Date().toISOString(),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function webPage(messages: CaughtMail[]): string {
  const rows = [...messages]
    .reverse()
    .map(
      (m) => `<details><summary><strong>${escapeHtml(m.subject)}</strong> — to ${escapeHtml(m.to.join(', '))} — from ${escapeHtml(m.from)} — ${m.created_at}</summary>
${m.html ? `<iframe sandbox srcdoc="${escapeHtml(m.html)}" style="width:100%;height:24rem;border:1px solid #ccc"></iframe>` : ''}
${m.text ? `<pre style="white-space:pre-wrap;background:#f6f6f6;padding:1rem">${escapeHtml(m.text)}</pre>` : ''}</details>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Mail catcher</title><meta http-equiv="refresh" content="5"></head>
<body style="font-family:system-ui,sans-serif;margin:2rem">
<h1>Mail catcher</h1><p>${messages.length} message(s) caught by the local platform (nothing here left this machine). JSON: <a href="/messages">/messages</a>. This page refreshes every 5 seconds.</p>
${rows || '<p>No mail yet.</p>'}
</body></html>`;
}

export async function startMailCatcher(options: { host: string; port: number; apiKey: string }): Promise<MailCatcher> {
  const messages: CaughtMail[] = [];
  const idempotent = new Map<string, { body: string; id: string; at: number }>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://catcher');
    if (req.method === 'POST' && url.pathname === '/emails') {
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || auth.length <= 7) return resendError(res, 401, 'missing_api_key', 'Missing API key in the authorization header.');
      if (auth.slice(7) !== options.apiKey) return resendError(res, 403, 'invalid_api_key', 'API key is invalid.');
      const text = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return resendError(res, 422, 'validation_error', 'The body is not valid JSON.');
      }
      // Resend's own checks first (a missing field is missing_required_field), then its published schema.
      const caught = acceptEmail(body);
      if ('status' in caught) return resendError(res, caught.status, caught.name, caught.message);
      if (!validSendEmail(body)) {
        const [problem] = validSendEmail.errors ?? [];
        const field = problem?.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'body';
        return resendError(res, 422, 'validation_error', `Invalid \`${field}\`: ${problem?.message ?? 'not as the API describes'}.`);
      }
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string' && (key.length === 0 || key.length > idempotencyKeyLength)) {
        return resendError(res, 400, 'invalid_idempotency_key', `The key must be between 1-${idempotencyKeyLength} chars.`);
      }
      if (typeof key === 'string') {
        const seen = idempotent.get(key);
        if (seen && Date.now() - seen.at < idempotencyWindowMs) {
          if (seen.body !== text) return resendError(res, 409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.');
          return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: seen.id }));
        }
      }
      messages.push(caught);
      if (messages.length > maxKept) messages.shift();
      if (typeof key === 'string') {
        idempotent.set(key, { body: text, id: caught.id, at: Date.now() });
        if (idempotent.size > maxKept) idempotent.delete(idempotent.keys().next().value!);
      }
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: caught.id }));
    }
    if (req.method === 'GET' && url.pathname === '/messages') {
      const to = url.searchParams.get('to')?.toLowerCase();
      const list = to ? messages.filter((m) => m.to.some((t) => t.toLowerCase().includes(to))) : messages;
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list));
    }
    if (req.method === 'DELETE' && url.pathname === '/messages') {
      messages.length = 0;
      return res.writeHead(204).end();
    }
    if (req.method === 'GET' && url.pathname === '/') {
      return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(webPage(messages));
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 404, name: 'not_found', message: 'Route not found.' }));
  };

  let server: Server | undefined;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const listening = createServer((req, res) => {
        handle(req, res).catch(() => resendError(res, 500, 'internal_server_error', 'The mail catcher failed.'));
      });
      listening.once('error', (error: NodeJS.ErrnoException) =>
        reject(new PlatformError(`the mail catcher cannot listen on port ${options.port}: ${error.code ?? error.message}`, 'free the port or set MAIL_PORT')),
      );
      listening.listen(options.port, options.host, () => {
        server = listening;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
      server = undefined;
    });
  await start();
  const base = `http://${options.host}:${options.port}`;
  return { url: base, messagesUrl: `${base}/messages`, apiUrl: base, stop, start };
}
