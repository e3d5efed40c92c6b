/** The queue names in this worker's wrangler.toml, by role (the queue handler tells batches apart by name). */
export const queueNames = {
  /** Nudges from the API workers: "a message was written". */
  outbox: 'purchases-outbox',
  /** One message per delivery, retried with backoff. */
  deliveries: 'purchases-deliveries',
  /** Deliveries that failed every retry. */
  dead: 'purchases-deliveries-dead',
} as const;
