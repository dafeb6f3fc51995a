import type { Network } from '../../src/connector.js';
import { normalizeWebhook } from './normalize.js';
import { mountGenericWebhook } from './route.js';

/** Any other source, through signed webhooks; replies go to each source's callback URL. */
export const webhook: Network = {
  normalize: normalizeWebhook,
  // On as soon as one source can sign.
  isOn: (config) => Boolean(config.WEBHOOK_SECRET || Object.keys(config.file.webhooks).length),
  create: async (config) => (await import('./connector.js')).createWebhookConnector(config),
  routes: mountGenericWebhook,
};
