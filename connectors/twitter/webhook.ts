import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../../config/index.js';
import type { ConnectorStore, Receive } from '../../src/connector.js';
import { hmacSha256, sameSignature } from '../../src/shared/hmac.js';
import type { Logger } from '../../src/shared/log.js';
import { MAX_WEBHOOK_BODY } from '../../src/shared/max-body.js';
import { readDelivery } from './deliveries.js';
import { recordRevoked } from './revoked.js';

/** X's CRC check and delivery signature: `sha256=` + base64 HMAC-SHA256 with the consumer secret. */
export const twitterSignature = (consumerSecret: string, data: string | Buffer) =>
  `sha256=${hmacSha256(consumerSecret, data).toString('base64')}`;

/**
 * What X's crc_token looks like: a short base64 or base64url string (seen in the wild as the
 * base64url of a UUID, 48 characters, with a separate `nonce` parameter). The CRC answer is the
 * same HMAC that signs a delivery, so a route that answered any string would sign any forged
 * delivery body for whoever asks: carebot answers only tokens of this shape, which can never be
 * a JSON delivery (no braces, no quotes).
 */
const CRC_TOKEN = /^[A-Za-z0-9+/=_-]{8,128}$/;
export function isCrcToken(token: unknown): token is string {
  if (typeof token !== 'string' || !CRC_TOKEN.test(token)) return false;
  try {
    JSON.parse(token); // e.g. a run of digits: valid JSON, so never signed
    return false;
  } catch {
    return true;
  }
}

/** Why the X webhook is not served, or undefined when it is. */
export function twitterWebhookOff(config: Config): string | undefined {
  if (config.TWITTER_WEBHOOKS !== 'on') return 'X webhooks are off (set TWITTER_WEBHOOKS=on to receive Account Activity)';
  if (!config.TWITTER_API_SECRET) return 'X webhooks are on but TWITTER_API_SECRET is not set: nothing can be checked';
  return undefined;
}

/**
 * `/webhooks/twitter`: the CRC challenge (GET) and signed deliveries (POST), only with
 * TWITTER_WEBHOOKS=on. Refusals come before the body is read. A revoke is logged and recorded in
 * `deps.store`, where the connector and `carebot doctor` read it.
 */
export function mountTwitterWebhook(config: Config, receive: Receive, deps: { store: ConnectorStore; log: Logger }) {
  const gate = (_req: Request, res: Response, next: NextFunction) => {
    const off = twitterWebhookOff(config);
    if (off) return void res.status(404).json({ error: off });
    next();
  };
  return (app: Express) => {
    app.get('/webhooks/twitter', gate, (req, res) => {
      const token = req.query.crc_token;
      if (!isCrcToken(token)) {
        return void res.status(400).json({ error: 'crc_token must be a base64 token of 8 to 128 characters, as X sends' });
      }
      res.json({ response_token: twitterSignature(config.TWITTER_API_SECRET!, token) });
    });
    app.post('/webhooks/twitter', gate, express.raw({ type: () => true, limit: MAX_WEBHOOK_BODY }), async (req, res) => {
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!sameSignature(req.get('x-twitter-webhooks-signature'), twitterSignature(config.TWITTER_API_SECRET!, body))) {
        return void res.status(401).json({ error: 'bad x-twitter-webhooks-signature' });
      }
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return void res.status(400).json({ error: 'body is not JSON' });
      }
      if (!json || typeof json !== 'object' || Array.isArray(json))
        return void res.status(400).json({ error: 'body is not a JSON object' });
      const delivery = readDelivery(json, config.TWITTER_USER_ID);
      if ('error' in delivery) return void res.status(422).json({ error: delivery.error });
      if (delivery.kind === 'revoked') {
        // Nothing carebot does as the brand works from now on: the operator must hear it.
        deps.log.warn({ userId: delivery.userId, at: delivery.at }, `twitter: X access was revoked for user id ${delivery.userId}`);
        await recordRevoked(deps.store, { userId: delivery.userId, at: delivery.at ?? new Date().toISOString() });
        return void res.status(200).json({ ok: true, received: 0 });
      }
      if (delivery.kind === 'ignored') return void res.status(200).json({ ok: true, received: 0 });
      if (delivery.retweets) deps.log.info({ retweets: delivery.retweets }, 'twitter: retweets counted, not carded');
      if (delivery.items.length) await receive(delivery.items);
      // What came in new; a deletion changes what was received before.
      res.status(200).json({ ok: true, received: delivery.items.filter((i) => !i.change).length });
    });
  };
}
