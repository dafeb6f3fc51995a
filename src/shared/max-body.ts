/** The largest webhook body a route reads: a batch of deliveries fits, a flood does not. */
export const MAX_WEBHOOK_BODY = '1mb';
