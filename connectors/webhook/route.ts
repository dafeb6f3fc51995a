import express, { type Express } from 'express';
import { prettifyError } from 'zod';
import type { Receive } from '../../src/connector.js';
import type { Config } from '../../config/index.js';
import { MAX_WEBHOOK_BODY } from '../../src/shared/max-body.js';
import { secretFor } from './sources.js';
import { webhookBodySchema, webhookExternalId } from './normalize.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, checkWebhookSignature } from './signature.js';

/**
 * `POST /webhooks/generic/<source>`: any other network or automation tool. Signed with the
 * source's secret, validated whole before anything is stored; a retry of the same delivery is
 * answered 200 and stored once.
 */
export function mountGenericWebhook(config: Config, receive: Receive) {
  return (app: Express) => {
    app.post('/webhooks/generic/:source', express.raw({ type: () => true, limit: MAX_WEBHOOK_BODY }), async (req, res) => {
      const source = String(req.params.source);
      const secret = /^[a-z0-9_-]{1,64}$/.test(source) ? secretFor(config, source) : undefined;
      if (!secret) return void res.status(404).json({ error: `unknown webhook source '${source.slice(0, 64)}'` });
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const refused = checkWebhookSignature(secret, { signature: req.get(SIGNATURE_HEADER), timestamp: req.get(TIMESTAMP_HEADER) }, body);
      if (refused) return void res.status(401).json({ error: refused });

      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return void res.status(400).json({ error: 'body is not JSON' });
      }
      const parsed = webhookBodySchema.safeParse(json);
      if (!parsed.success) return void res.status(422).json({ error: prettifyError(parsed.error).replace(/\n\s*/g, ' ') });

      const { stored } = await receive([
        { platform: 'webhook', externalId: webhookExternalId(source, parsed.data.id), payload: { source, body: parsed.data } },
      ]);
      res.status(stored ? 202 : 200).json({ ok: true, duplicate: !stored });
    });
  };
}
