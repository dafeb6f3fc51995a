import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import type { Receive } from '../../src/connector.js';
import { truncate } from '../../src/shared/fit-text.js';
import { hmacSha256, sameSignature } from '../../src/shared/hmac.js';
import { MAX_WEBHOOK_BODY } from '../../src/shared/max-body.js';
import { plausibleDate } from '../../src/shared/plausible-date.js';
import { storableString } from '../../src/shared/well-formed.js';
import type { TweetPayload } from './normalize.js';

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

/** A numeric X id (tweet or user): snowflakes are 64-bit, at most 19 digits. */
const xId = () => z.string().regex(/^\d{1,19}$/, 'expected a numeric X id (at most 19 digits)');
/**
 * A long post is at most 25,000 characters; the text of a reply also carries the @names it
 * answers, which X does not count (up to 50 of them): beyond this no delivery is genuine.
 */
const TWEET_TEXT_MAX = 26_000;
/** What the mention model keeps of a text (`mentionSchema.text`): a longer post is stored cut, not lost. */
const STORED_TEXT_MAX = 20_000;
const tweetText = () => storableString().max(TWEET_TEXT_MAX);

/**
 * Account Activity deliveries carry v1.1 tweet objects; every bound is one X itself keeps, so
 * anything beyond it is refused before the 2xx (X retries a non-2xx; a forger gets nothing in).
 */
const v1TweetSchema = z
  .object({
    id_str: xId(),
    text: tweetText().optional(),
    full_text: tweetText().optional(),
    extended_tweet: z.object({ full_text: tweetText() }).optional(),
    created_at: z
      .string()
      .max(64)
      .refine((v) => plausibleDate(Date.parse(v)), 'expected a date between 2006-03-01 and tomorrow'),
    lang: storableString().max(16).optional(),
    in_reply_to_status_id_str: xId().nullish(),
    user: z.object({
      id_str: xId(),
      // X's usernames: letters, digits and _, at most 15 (X's help pages since 2009; the v2 API's UserName pattern).
      screen_name: z.string().regex(/^[A-Za-z0-9_]{1,15}$/, 'expected an X username ([A-Za-z0-9_], at most 15)'),
      // Display names are at most 50 characters; 200 UTF-16 units leave room for emoji.
      name: storableString().max(200).optional(),
      followers_count: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    }),
  })
  .refine((t) => Boolean(t.extended_tweet?.full_text ?? t.full_text ?? t.text), 'tweet has no text');
const deliverySchema = z.object({
  for_user_id: xId(),
  tweet_create_events: z.array(v1TweetSchema).max(1000),
});

/** The v1.1 tweet of a delivery in the v2 shape the poller stores, so one normalizer serves both. */
function toPayload(t: z.infer<typeof v1TweetSchema>): TweetPayload {
  return {
    tweet: {
      id: t.id_str,
      text: truncate(t.extended_tweet?.full_text ?? t.full_text ?? t.text ?? '', STORED_TEXT_MAX),
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

/** Why the X webhook is not served, or undefined when it is. */
export function twitterWebhookOff(config: Config): string | undefined {
  if (config.TWITTER_WEBHOOKS !== 'on') return 'X webhooks are off (set TWITTER_WEBHOOKS=on to receive Account Activity)';
  if (!config.TWITTER_API_SECRET) return 'X webhooks are on but TWITTER_API_SECRET is not set: nothing can be checked';
  return undefined;
}

/**
 * `/webhooks/twitter`: the CRC challenge (GET) and signed deliveries (POST), only with
 * TWITTER_WEBHOOKS=on. Refusals come before the body is read.
 */
export function mountTwitterWebhook(config: Config, receive: Receive) {
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
      // Likes, follows, DMs, an app's authorization revoked (`user_event`, without for_user_id), a
      // replay job's end: genuine, but not mentions. A non-2xx would only make X send them again.
      if (!('tweet_create_events' in json)) return void res.status(200).json({ ok: true, received: 0 });
      const parsed = deliverySchema.safeParse(json);
      if (!parsed.success)
        return void res.status(422).json({ error: `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}` });
      // One app can subscribe several accounts: only the brand's feed is carebot's.
      if (config.TWITTER_USER_ID && parsed.data.for_user_id !== config.TWITTER_USER_ID) {
        return void res.status(200).json({ ok: true, received: 0 });
      }
      // Our own tweets (replies, broadcasts) come back through the same feed: they are not mentions.
      const tweets = parsed.data.tweet_create_events.filter((t) => t.user.id_str !== parsed.data.for_user_id);
      await receive(tweets.map((t) => ({ platform: 'twitter', externalId: t.id_str, payload: toPayload(t) })));
      res.status(200).json({ ok: true, received: tweets.length });
    });
  };
}
