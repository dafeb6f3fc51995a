/** Any other source, bridged through signed webhooks, as the rest of carebot names it. */
export const webhook = {
  name: 'the webhook source',
  label: 'Webhook',
  emoji: ':link:',
  handlePrefix: '',
  // Not a network's limit: a bound on what a callback is handed.
  textLength: 20_000,
} as const;
