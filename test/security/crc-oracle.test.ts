import { beforeEach, describe, expect, it } from 'vitest';
import { twitterSignature } from '../../connectors/twitter/webhook.js';
import { mentions } from '../../src/db/schema.js';
import { webhookServer } from '../support/webhook-server.js';

const CONSUMER_SECRET = 'crc-consumer-secret-9f2c';

/**
 * The CRC answer is HMAC-SHA256(consumer secret, crc_token), the very HMAC that signs a delivery
 * (HMAC over the raw body). A CRC route that answers any string is a signing oracle: ask it to
 * "answer" a forged delivery body, and the answer is that body's signature.
 */
describe('the X CRC check is no signing oracle', () => {
  const w = webhookServer({ TWITTER_API_SECRET: CONSUMER_SECRET, TWITTER_WEBHOOKS: 'on' });
  beforeEach(async () => {
    await w.h.s.db.delete(mentions);
  });

  const rows = () => w.h.s.db.select().from(mentions);

  // The shape of an Account Activity delivery (docs.x.com, Account Activity API, "Payload examples":
  // tweet_create_events with a v1.1 tweet object), with an attacker's text.
  const forged = JSON.stringify({
    for_user_id: '2244994945',
    tweet_create_events: [
      {
        id_str: '1924465506158878979',
        text: '@acme your refund link: https://evil.example/refund',
        created_at: 'Mon May 19 14:01:46 +0000 2025',
        user: { id_str: '6253282', screen_name: 'XDevelopers', name: 'Developers', followers_count: 100 },
      },
    ],
  });

  it('answers no crc_token that could be a delivery body, so a forged delivery stays unsigned and unstored', async () => {
    const crc = await fetch(`${w.base}/webhooks/twitter?crc_token=${encodeURIComponent(forged)}`);
    const answer = (await crc.json()) as { response_token?: string; error?: string };
    expect(crc.status).toBe(400);
    expect(answer.response_token).toBeUndefined();

    // The attack end to end: whatever the CRC route said is used as the delivery's signature.
    const delivery = await fetch(`${w.base}/webhooks/twitter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': answer.response_token ?? 'sha256=' },
      body: forged,
    });
    expect(delivery.status).toBe(401);
    expect(await rows()).toHaveLength(0);
  });

  it.each([
    ['a JSON number', '12345678901234567890'],
    ['JSON literals', 'true'],
    ['a string with quotes and braces', '{"for_user_id":"1"}'],
    ['spaces', 'hello world token'],
    ['an overlong token', 'A'.repeat(129)],
    ['a too short token', 'abc'],
  ])('refuses %s as a crc_token with 400 and no HMAC', async (_, token) => {
    const res = await fetch(`${w.base}/webhooks/twitter?crc_token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).not.toContain('sha256=');
  });

  it("answers a token shaped like X's own with its HMAC", async () => {
    // A CRC request X sent (January 2026, from a public Vercel request log of an /api/x-webhook
    // route): the base64url of a UUID, with a separate nonce parameter.
    const token = 'M2RkODJkZmMtYjlkYi00NmQ4LTk0MGUtM2JjYzkwM2Q4MjQ0';
    const res = await fetch(`${w.base}/webhooks/twitter?crc_token=${token}&nonce=MTc2OTUxODI5MjkxNA`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ response_token: twitterSignature(CONSUMER_SECRET, token) });
    // Standard base64 with padding, as X's older docs describe, is answered too.
    const padded = await fetch(`${w.base}/webhooks/twitter?crc_token=${encodeURIComponent('Zm9vYmFyYmF6+/==')}`);
    expect(padded.status).toBe(200);
  });

  it('serves neither the CRC nor deliveries unless TWITTER_WEBHOOKS=on, and says why', async () => {
    w.h.config.TWITTER_WEBHOOKS = 'off';
    try {
      const crc = await fetch(`${w.base}/webhooks/twitter?crc_token=M2RkODJkZmMtYjlkYi00NmQ4LTk0MGUtM2JjYzkwM2Q4MjQ0`);
      expect(crc.status).toBe(404);
      expect(((await crc.json()) as { error: string }).error).toMatch(/TWITTER_WEBHOOKS/);
      const body = forged;
      const post = await fetch(`${w.base}/webhooks/twitter`, {
        method: 'POST',
        headers: { 'x-twitter-webhooks-signature': twitterSignature(CONSUMER_SECRET, body) },
        body,
      });
      expect(post.status).toBe(404);
      expect(((await post.json()) as { error: string }).error).toMatch(/TWITTER_WEBHOOKS/);
      expect(await rows()).toHaveLength(0);
    } finally {
      w.h.config.TWITTER_WEBHOOKS = 'on';
    }
  });
});
