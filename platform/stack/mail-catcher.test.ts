/**
 * The local mail server answers as Resend documents, and the delivery worker's Resend adapter
 * (functions/delivery/mail/resend.ts, the production code) sends what Resend's published
 * description takes: every request is checked by the catcher against that description
 * (resend-contract.json), so a 200 here is a request the description accepts.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWithResend } from '../../functions/delivery/mail/resend.ts';
import { startMailCatcher, type MailCatcher } from './mail-catcher.ts';
import { freePortBlock } from './preflight.ts';

const apiKey = 're_contract_test';
let catcher: MailCatcher;
beforeAll(async () => {
  const [port] = await freePortBlock(1);
  catcher = await startMailCatcher({ host: '127.0.0.1', port: port!, apiKey });
});
afterAll(async () => catcher?.stop());

const settings = () => ({ apiUrl: catcher.apiUrl, apiKey, timeoutMs: 5000 });
const email = (subject = 'Your downloads') => ({ from: 'Acme <acme@mail.example.com>', to: 'buyer@example.com', subject, text: 'Hello', html: '<p>Hello</p>' });
const caught = async () => (await (await fetch(catcher.messagesUrl)).json()) as Array<{ id: string; subject: string }>;
const post = async (body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${catcher.apiUrl}/emails`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { name?: string; message?: string; id?: string } };
};

describe("the delivery worker's Resend adapter against Resend's description", () => {
  it('sends a request the published schema takes, and reads the published answer', async () => {
    const before = (await caught()).length;
    expect(await sendWithResend(email(), 'msg-1', settings())).toMatchObject({ outcome: 'delivered', status: 200 });
    expect(await caught()).toHaveLength(before + 1);
    // The description's own answer schema: { id }.
    const contract = JSON.parse(readFileSync(new URL('./resend-contract.json', import.meta.url), 'utf8'));
    const answer = await post({ ...email('Direct'), to: ['a@example.com'] });
    expect(new Ajv({ strict: false }).compile(contract.sendEmail.response)(answer.body)).toBe(true);
  });

  it('a retry with the same message is the same email; another message under a used key is dead at once (409 invalid_idempotent_request)', async () => {
    expect(await sendWithResend(email('First'), 'msg-2', settings())).toMatchObject({ outcome: 'delivered' });
    const count = (await caught()).length;
    expect(await sendWithResend(email('First'), 'msg-2', settings())).toMatchObject({ outcome: 'delivered' });
    expect(await caught()).toHaveLength(count);
    const other = await sendWithResend(email('Something else'), 'msg-2', settings());
    expect(other).toMatchObject({ outcome: 'dead', status: 409 });
    expect(other.error).toContain('invalid_idempotent_request');
  });
});

describe("the local mail server refuses what Resend's description and error list refuse", () => {
  it('a missing field (422 missing_required_field), a field of the wrong type (422 validation_error naming it), an over-long idempotency key (400)', async () => {
    const { subject: _subject, ...withoutSubject } = email();
    expect(await post(withoutSubject)).toMatchObject({ status: 422, body: { name: 'missing_required_field' } });
    const wrongType = await post({ ...email(), tags: 'not-a-list' });
    expect(wrongType).toMatchObject({ status: 422, body: { name: 'validation_error' } });
    expect(wrongType.body.message).toContain('`tags`');
    expect(await post(email(), { 'Idempotency-Key': 'k'.repeat(257) })).toMatchObject({ status: 400, body: { name: 'invalid_idempotency_key' } });
    expect((await post(email(), { 'Idempotency-Key': 'k'.repeat(256) })).status).toBe(200);
  });
});
