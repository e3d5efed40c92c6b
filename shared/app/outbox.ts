/**
 * Waking the relay. A request whose database call wrote an email or webhook (PostgREST's answer
 * carries X-Outbox) sends one small message to the outbox queue after it has answered, so the
 * delivery worker picks the message up within a second or so instead of at its next sweep. The
 * nudge is a queue send, never a database call: the write path keeps its one round trip. A lost
 * nudge costs only latency: the sweep finds every message anyway.
 */
import type { Context } from 'hono';
import type { WorkerEnv } from '../env/index.ts';
import { afterAnswer, type WorkerAppEnv } from './context.ts';


const nudged = new WeakSet<object>();

export function nudgeRelay<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>): void {
  const queue = c.env?.OUTBOX;
  if (!queue || nudged.has(c)) return;
  nudged.add(c);
  const sent = queue.send({ at: Date.now() }).catch((error: unknown) => {
    c.get('log')?.log('warn', 'could not nudge the relay; the next sweep delivers', { error });
  });
  afterAnswer(c, sent);
}
