import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { ConnectorError, type Connector } from '../../src/connector.js';
import { postSigned } from './callback.js';
import { webhook } from './meta.js';
import { webhookPayloadSchema } from './normalize.js';
import { secretFor } from './sources.js';

/** A source's answer to a reply callback: what it calls the reply, if it says. */
const callbackAnswerSchema = z.object({
  id: z.string().min(1).max(200).optional(),
  // Shown as a link in Slack: http(s) only.
  url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
});

/**
 * Generic webhook sources: mentions arrive on `POST /webhooks/generic/<source>` (route.ts);
 * replies go to the source's `callbackUrl`, signed with its secret the same way.
 */
export function createWebhookConnector(config: Config): Connector {
  return {
    platform: 'webhook',
    limits: { textLength: webhook.textLength },

    async reply(to, text, opts) {
      const stored = webhookPayloadSchema.safeParse(to.payload);
      if (!stored.success) throw new ConnectorError('the stored webhook mention has no source', 'rejected');
      const { source, body } = stored.data;
      const settings = config.file.webhooks[source];
      const callbackUrl = settings?.callbackUrl;
      const secret = secretFor(config, source);
      if (!callbackUrl || !secret) throw new ConnectorError(`webhook source '${source}' has no callbackUrl to send replies to`, 'rejected');
      // The same id on every retry of one reply, so the source can drop a repeat.
      const id = opts?.idempotencyKey ?? randomUUID();
      const answer = await postSigned(
        callbackUrl,
        secret,
        source,
        {
          type: 'reply',
          id,
          source,
          inReplyTo: body.id,
          conversationId: body.conversationId ?? body.id,
          author: { id: body.author.id, handle: body.author.handle },
          text,
        },
        { allowPrivate: settings?.allowPrivateCallback === true },
      );
      const parsed = callbackAnswerSchema.safeParse(answer);
      return { externalId: (parsed.success && parsed.data.id) || id, url: (parsed.success && parsed.data.url) || null };
    },
  };
}
