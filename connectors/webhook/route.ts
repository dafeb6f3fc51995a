import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { prettifyError } from 'zod';
import type { Receive } from '../../src/connector.js';
import type { Config } from '../../config/index.js';
import { MAX_WEBHOOK_BODY } from '../../src/shared/max-body.js';
import { secretFor } from './sources.js';
import { webhookBodySchema, webhookExternalId } from './normalize.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, checkWebhookSignature } from './signature.js';

/** The longest id the mention model keeps (`mentionSchema.externalId`): `<source>/<id>` must fit. */
const MAX_QUALIFIED_ID = 128;

/**
 * `POST /webhooks/generic/<source>`: any other network or automation tool. Signed with the
 * source's secret over the timestamp, the source's name and the body, validated whole before
 * anything is stored; a retry of the same delivery is answered 200 and stored once. An unknown
 * source is refused before its body is read.
 */
export function mountGenericWebhook(config: Config, receive: Receive) {
  const knownSource = (req: Request, res: Response, next: NextFunction) => {
    const source = String(req.params.source);
    const secret = /^[a-z0-9_-]{1,64}$/.test(source) ? secretFor(config, source) : undefined;
    if (!secret) return void res.status(404).json({ error: `unknown webhook source '${source.slice(0, 64)}'` });
    res.locals.source = source;
    res.locals.secret = secret;
    next();
  };
  return (app: Express) => {
    app.post('/webhooks/generic/:source', knownSource, express.raw({ type: () => true, limit: MAX_WEBHOOK_BODY }), async (req, res) => {
      const { source, secret } = res.locals as { source: string; secret: string };
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const refused = checkWebhookSignature(
        secret,
        source,
        { signature: req.get(SIGNATURE_HEADER), timestamp: req.get(TIMESTAMP_HEADER) },
        body,
      );
      if (refused) return void res.status(401).json({ error: refused });

      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return void res.status(400).json({ error: 'body is not JSON' });
      }
      const parsed = webhookBodySchema.safeParse(json);
      if (!parsed.success) return void res.status(422).json({ error: prettifyError(parsed.error).replace(/\n\s*/g, ' ') });
      const { id, conversationId, inReplyTo } = parsed.data;
      const tooLong = [id, conversationId, inReplyTo].some(
        (v) => v !== undefined && webhookExternalId(source, v).length > MAX_QUALIFIED_ID,
      );
      if (tooLong) {
        return void res.status(422).json({ error: `ids are stored as '${source}/<id>', which must fit in ${MAX_QUALIFIED_ID} characters` });
      }

      const { stored } = await receive([
        { platform: 'webhook', externalId: webhookExternalId(source, id), payload: { source, body: parsed.data } },
      ]);
      res.status(stored ? 202 : 200).json({ ok: true, duplicate: !stored });
    });
  };
}
