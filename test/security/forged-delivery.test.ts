import { beforeEach, describe, expect, it } from 'vitest';
import { registry } from '../../connectors/registry.js';
import { twitterSignature } from '../../connectors/twitter/webhook.js';
import { signWebhook } from '../../connectors/webhook/signature.js';
import { mentions } from '../../src/db/schema.js';
import { mentionSchema } from '../../src/mention.js';
import { webhookServer } from '../support/webhook-server.js';

const CONSUMER_SECRET = 'edge-consumer-secret-41ab';
const SECRET = 'edge-webhook-secret-0123456789';

/**
 * Edges refuse impossible values before the 2xx: what a network can never send is refused with a
 * 4xx and nothing is stored (a stored row the ingest stage later refuses is a mention lost
 * silently, and a door for a forger's junk).
 */
describe('deliveries carrying impossible values are refused at the edge', () => {
  const w = webhookServer({ TWITTER_API_SECRET: CONSUMER_SECRET, TWITTER_WEBHOOKS: 'on', WEBHOOK_SECRET: SECRET });
  beforeEach(async () => {
    await w.h.s.db.delete(mentions);
  });
  const rows = () => w.h.s.db.select().from(mentions);

  describe('X Account Activity', () => {
    const post = (body: object) => {
      const raw = JSON.stringify(body);
      return fetch(`${w.base}/webhooks/twitter`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': twitterSignature(CONSUMER_SECRET, raw) },
        body: raw,
      });
    };
    // The longform example of docs.x.com, Account Activity API v2, "Support for Longform Posts"
    // (x-api/account-activity/introduction.mdx in xdevplatform/docs): the fields carebot reads, as X
    // sends them (the numeric `id` loses precision in JSON, so `id_str` is the id).
    const longform = () => ({
      created_at: 'Mon May 19 14:01:46 +0000 2025',
      id: 1924465506158879000,
      id_str: '1924465506158878979',
      text: 'The Antikythera Mechanism: A Window into Ancient Ingenuity Discovered in 1901 among the wreckage of a Roman ship of… https://t.co/bzbEKj8cd8',
      display_text_range: [0, 140],
      truncated: true,
      user: { id_str: '1603419180975409153', screen_name: 'XDevelopers', name: 'Developers', followers_count: 5 },
      extended_tweet: {
        full_text: `The Antikythera Mechanism: A Window into Ancient Ingenuity ${'… '.repeat(900)}\n@xai\n@HistoryInPics`,
        display_text_range: [0, 2051],
      },
    });
    const delivery = (tweet: object) => ({ for_user_id: '1603419180975409154', tweet_create_events: [tweet] });

    it('stores the longform example X documents, whole', async () => {
      const res = await post(delivery(longform()));
      expect([res.status, await res.json()]).toEqual([200, { ok: true, received: 1 }]);
      const [row] = await rows();
      const mention = mentionSchema.parse(registry.twitter.normalize(row!.payload));
      expect(mention).toMatchObject({ externalId: '1924465506158878979', author: { handle: 'XDevelopers' } });
      expect(mention.text).toMatch(/@HistoryInPics$/);
    });

    it.each<[string, (t: ReturnType<typeof longform>) => object, RegExp]>([
      ['a 200-digit tweet id', (t) => ({ ...t, id_str: '1'.repeat(200) }), /id_str/],
      ['a 20-digit user id', (t) => ({ ...t, user: { ...t.user, id_str: '9'.repeat(20) } }), /user\.id_str/],
      ['a 100,000-character text', (t) => ({ ...t, extended_tweet: { full_text: 'x'.repeat(100_000) } }), /full_text/],
      ['a 40-character screen_name', (t) => ({ ...t, user: { ...t.user, screen_name: 'a'.repeat(40) } }), /screen_name/],
      ['a screen_name X would not allow', (t) => ({ ...t, user: { ...t.user, screen_name: 'evil<script>' } }), /screen_name/],
      ['a tweet from 1999', (t) => ({ ...t, created_at: 'Fri Dec 31 23:59:59 +0000 1999' }), /created_at/],
      ['a tweet from 2100', (t) => ({ ...t, created_at: 'Fri Jan 01 00:00:00 +0000 2100' }), /created_at/],
      ['a reply to a 30-digit id', (t) => ({ ...t, in_reply_to_status_id_str: '7'.repeat(30) }), /in_reply_to_status_id_str/],
    ])('refuses %s with 422 and stores nothing', async (_, change, field) => {
      const res = await post(delivery(change(longform())));
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: string }).error).toMatch(field);
      expect(await rows()).toHaveLength(0);
    });

    it('refuses a 25-digit for_user_id', async () => {
      const res = await post({ for_user_id: '2'.repeat(25), tweet_create_events: [longform()] });
      expect(res.status).toBe(422);
      expect(await rows()).toHaveLength(0);
    });

    // Payload examples of docs.x.com, Account Activity API v2, "Payload examples" (user_event,
    // favorite_events, tweet_delete_events) and "Job Completed Messages" (replay_job_status):
    // events carebot does not handle. X retries a non-2xx, so they get 200 with nothing received.
    it.each([
      [
        'an app authorization revoked (user_event, no for_user_id)',
        {
          user_event: {
            revoke: { date_time: '2018-05-24T09:48:12+00:00', target: { app_id: '13090192' }, source: { user_id: '63046977' } },
          },
        },
      ],
      [
        'a like',
        {
          for_user_id: '2244994945',
          favorite_events: [
            {
              id: 'a7ba59eab0bfcba386f7acedac279542',
              created_at: 'Mon Mar 26 16:33:26 +0000 2018',
              timestamp_ms: 1522082006140,
              favorited_status: {},
              user: {},
            },
          ],
        },
      ],
      [
        'a deleted post',
        {
          for_user_id: '930524282358325248',
          tweet_delete_events: [{ status: { id: '1045405559317569537', user_id: '930524282358325248' }, timestamp_ms: '1432228155593' }],
        },
      ],
      [
        'the end of a replay job',
        {
          replay_job_status: {
            webhook_id: '1234567890',
            job_state: 'Complete',
            job_state_description: 'Job completed successfully',
            job_id: '987654321',
          },
        },
      ],
    ])('answers %s with 200 and stores nothing', async (_, event) => {
      const res = await post(event);
      expect([res.status, await res.json()]).toEqual([200, { ok: true, received: 0 }]);
      expect(await rows()).toHaveLength(0);
    });
  });

  describe('generic webhook', () => {
    const generic = (body: object, source = 'zendesk') => {
      const raw = JSON.stringify(body);
      const ts = Math.floor(Date.now() / 1000);
      return fetch(`${w.base}/webhooks/generic/${source}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-carebot-timestamp': String(ts),
          'x-carebot-signature': signWebhook(SECRET, ts, source, raw),
        },
        body: raw,
      });
    };
    const valid = { id: 'T-1', text: 'My package is lost', author: { id: 'c-9', handle: 'dana' } };

    it.each<[string, object, RegExp]>([
      ['a javascript: link for the author', { ...valid, author: { ...valid.author, url: 'javascript:alert(document.cookie)' } }, /url/],
      ['a data: link for the mention', { ...valid, url: 'data:text/html,<script>alert(1)</script>' }, /url/],
      ['a date before 2006', { ...valid, createdAt: '1999-12-31T23:59:59Z' }, /createdAt/],
      ['a date years ahead', { ...valid, createdAt: '2999-01-01T00:00:00Z' }, /createdAt/],
    ])('refuses %s with 422 and stores nothing', async (_, body, field) => {
      const res = await generic(body);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: string }).error).toMatch(field);
      expect(await rows()).toHaveLength(0);
    });

    it('refuses ids that do not fit once qualified by a long source name', async () => {
      const source = 's'.repeat(64);
      const res = await generic({ ...valid, id: 'i'.repeat(100) }, source);
      expect(res.status).toBe(422);
      expect(await rows()).toHaveLength(0);
      // The same id from a short source name fits, is stored and passes the mention model.
      expect((await generic({ ...valid, id: 'i'.repeat(100), url: 'https://example.com/t/1' })).status).toBe(202);
      const [row] = await rows();
      expect(() => mentionSchema.parse(registry.webhook.normalize(row!.payload))).not.toThrow();
    });
  });
});
