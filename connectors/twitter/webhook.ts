import express, { type Express } from 'express';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { MAX_WEBHOOK_BODY } from '../../src/shared/max-body.js';
import type { Receive } from '../../src/connector.js';
import { hmacSha256, sameSignature } from '../../src/shared/hmac.js';
import { storableString } from '../../src/shared/well-formed.js';
import type { TweetPayload } from './normalize.js';

/** X's CRC check and delivery signature: `sha256=` + base64 HMAC-SHA256 with the consumer secret. */
export const twitterSignature = (consumerSecret: string, data: string | Buffer) =>
  `sha256=${hmacSha256(consumerSecret, data).toString('base64')}`;

/** Account Activity deliveries carry v1.1 tweet objects. */
const v1TweetSchema = z
  .object({
    id_str: z.string().regex(/^\d+$/),
    text: storableString().optional(),
    full_text: storableString().optional(),
    extended_tweet: z.object({ full_text: storableString() }).optional(),
    created_at: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'expected a date'),
    lang: z.string().optional(),
    in_reply_to_status_id_str: z.string().nullish(),
    user: z.object({
      id_str: z.string(),
      screen_name: storableString(),
      name: storableString().optional(),
      followers_count: z.number().optional(),
    }),
  })
  .refine((t) => Boolean(t.extended_tweet?.full_text ?? t.full_text ?? t.text), 'tweet has no text');
const deliverySchema = z.object({
  for_user_id: z.string(),
  tweet_create_events: z.array(v1TweetSchema).max(1000).optional(),
});

/** The v1.1 tweet of a delivery in the v2 shape the poller stores, so one normalizer serves both. */
function toPayload(t: z.infer<typeof v1TweetSchema>): TweetPayload {
  return {
    tweet: {
      id: t.id_str,
      text: t.extended_tweet?.full_text ?? t.full_text ?? t.text ?? '',
      author_id: t.user.id_str,
      created_at: new Date(t.created_at).toISOString(),
      lang: t.lang,
      ...(t.in_reply_to_status_id_str ? { referenced_tweets: [{ type: 'replied_to', id: t.in_reply_to_status_id_str }] } : {}),
    },
    author: {
      id: t.user.id_str,
      username: t.user.screen_name,
      name: t.user.name,
      public_metrics: { followers_count: t.user.followers_count },
    },
  };
}

/** `/webhooks/twitter`: the CRC challenge (GET) and signed deliveries (POST). */
export function mountTwitterWebhook(config: Config, receive: Receive) {
  return (app: Express) => {
    const secret = config.TWITTER_API_SECRET;
    app.get('/webhooks/twitter', (req, res) => {
      const token = req.query.crc_token;
      if (!secret) return void res.status(404).json({ error: 'twitter webhooks are off (TWITTER_API_SECRET not set)' });
      if (typeof token !== 'string' || !token || token.length > 512) return void res.status(400).json({ error: 'crc_token required' });
      res.json({ response_token: twitterSignature(secret, token) });
    });
    app.post('/webhooks/twitter', express.raw({ type: () => true, limit: MAX_WEBHOOK_BODY }), async (req, res) => {
      if (!secret) return void res.status(404).json({ error: 'twitter webhooks are off (TWITTER_API_SECRET not set)' });
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!sameSignature(req.get('x-twitter-webhooks-signature'), twitterSignature(secret, body))) {
        return void res.status(401).json({ error: 'bad x-twitter-webhooks-signature' });
      }
      let parsed: z.ZodSafeParseResult<z.output<typeof deliverySchema>>;
      try {
        parsed = deliverySchema.safeParse(JSON.parse(body.toString('utf8')));
      } catch {
        return void res.status(400).json({ error: 'body is not JSON' });
      }
      if (!parsed.success)
        return void res.status(422).json({ error: `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}` });
      // One app can subscribe several accounts: only the brand's feed is carebot's.
      if (config.TWITTER_USER_ID && parsed.data.for_user_id !== config.TWITTER_USER_ID) {
        return void res.status(200).json({ ok: true, received: 0 });
      }
      // Our own tweets (replies, broadcasts) come back through the same feed: they are not mentions.
      const tweets = (parsed.data.tweet_create_events ?? []).filter((t) => t.user.id_str !== parsed.data.for_user_id);
      await receive(tweets.map((t) => ({ platform: 'twitter', externalId: t.id_str, payload: toPayload(t) })));
      res.status(200).json({ ok: true, received: tweets.length });
    });
  };
}
