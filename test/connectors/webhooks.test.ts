import type { IncomingHttpHeaders } from 'node:http';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { twitterSignature } from '../../connectors/twitter/webhook.js';
import { checkWebhookSignature, signWebhook } from '../../connectors/webhook/signature.js';
import { registry } from '../../connectors/registry.js';
import { mentions, replies } from '../../src/db/schema.js';
import { mentionSchema, type Platform } from '../../src/mention.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { sendReply } from '../../src/pipeline/outbound.js';
import { readBody, sendJson, startHttpServer, type LoopbackServer } from '../../fakes/http.js';
import { webhookServer } from '../support/webhook-server.js';

const SECRET = 'zendesk-secret-0123456789';
const CONSUMER_SECRET = 'consumer-secret-abc';

describe('webhook routes', () => {
  const w = webhookServer(
    { WEBHOOK_SECRET: 'default-secret-0123456789', TWITTER_API_SECRET: CONSUMER_SECRET, TWITTER_WEBHOOKS: 'on' },
    (h) => {
      h.config.file.webhooks.zendesk = { secret: SECRET, allowPrivateCallback: false };
    },
  );
  beforeEach(async () => {
    await w.h.s.db.delete(replies);
    await w.h.s.db.delete(mentions);
  });

  const rows = () => w.h.s.db.select().from(mentions);
  const now = () => Math.floor(Date.now() / 1000);
  const generic = (body: string | Buffer, opts: { source?: string; secret?: string; ts?: number; signature?: string } = {}) => {
    const ts = opts.ts ?? now();
    const source = opts.source ?? 'zendesk';
    return fetch(`${w.base}/webhooks/generic/${source}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-carebot-timestamp': String(ts),
        'x-carebot-signature': opts.signature ?? signWebhook(opts.secret ?? SECRET, ts, source, body),
      },
      body,
    });
  };
  const delivery = (tweets: object[]) => JSON.stringify({ for_user_id: '42', tweet_create_events: tweets });
  const v1 = (id: string, userId = '7') => ({
    id_str: id,
    text: '@acme where is my refund',
    created_at: 'Wed Nov 18 20:19:24 +0000 2026',
    user: { id_str: userId, screen_name: 'sam', name: 'Sam', followers_count: 3100 },
  });
  const post = (body: string, signature = twitterSignature(CONSUMER_SECRET, body)) =>
    fetch(`${w.base}/webhooks/twitter`, { method: 'POST', headers: { 'x-twitter-webhooks-signature': signature }, body });
  const valid = (id = 'T-1') =>
    JSON.stringify({
      id,
      text: 'My package is lost',
      author: { id: 'c-9', handle: 'dana', followers: 12 },
      createdAt: '2026-11-20T10:00:00Z',
    });

  describe('generic', () => {
    it('stores a signed mention once, even when the source retries', async () => {
      const first = await generic(valid());
      expect(first.status).toBe(202);
      const again = await generic(valid());
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ ok: true, duplicate: true });
      const [row] = await rows();
      expect(row).toMatchObject({ platform: 'webhook', externalId: 'zendesk/T-1', state: 'received' });
    });

    it('uses WEBHOOK_SECRET for a source without its own secret', async () => {
      expect((await generic(valid(), { source: 'typeform', secret: 'default-secret-0123456789' })).status).toBe(202);
    });

    // Timestamps are taken when the request is sent (`skew` seconds from then), not when the table is read.
    it.each([
      ['a forged signature', { signature: `sha256=${'0'.repeat(64)}` }, 401, /bad signature/],
      ['the wrong secret', { secret: 'someone-elses-secret-000' }, 401, /bad signature/],
      ['a replay older than 5 minutes', { skew: -301 }, 401, /stale/],
      ['a timestamp from the future', { skew: 400 }, 401, /stale/],
    ])(
      'refuses %s and stores nothing',
      async (_, { skew, ...opts }: { skew?: number; signature?: string; secret?: string }, status, reason) => {
        const res = await generic(valid(), skew === undefined ? opts : { ...opts, ts: now() + skew });
        expect(res.status).toBe(status);
        expect(((await res.json()) as { error: string }).error).toMatch(reason);
        expect(await rows()).toHaveLength(0);
      },
    );

    it('says what is wrong with a malformed, invalid or oversized body, and stores nothing', async () => {
      const notJson = await generic('{"id": ');
      expect([notJson.status, ((await notJson.json()) as { error: string }).error]).toEqual([400, 'body is not JSON']);
      const invalid = await generic(JSON.stringify({ id: 'x', text: '', author: { id: 'a' } }));
      expect(invalid.status).toBe(422);
      expect(((await invalid.json()) as { error: string }).error).toMatch(/text|handle/);
      const huge = await generic(JSON.stringify({ id: 'big', text: 'x'.repeat(1_100_000), author: { id: 'a', handle: 'b' } }));
      expect(huge.status).toBe(413);
      expect((await fetch(`${w.base}/webhooks/generic/Not%20A%20Source`, { method: 'POST', body: valid() })).status).toBe(404);
      const unsigned = await fetch(`${w.base}/webhooks/generic/zendesk`, { method: 'POST', body: valid() });
      expect(unsigned.status).toBe(401);
      expect(await rows()).toHaveLength(0);
    });
  });

  describe('generic callback replies', () => {
    let receiver: LoopbackServer;
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    let answer: { status: number; body: unknown; headers?: Record<string, string> };
    let zendesk: (typeof w.h.config.file.webhooks)[string];

    beforeAll(async () => {
      receiver = await startHttpServer(async (req, res) => {
        received.push({ headers: req.headers, body: await readBody(req) });
        sendJson(res, answer.status, answer.body, answer.headers);
      });
      zendesk = w.h.config.file.webhooks.zendesk!;
      // The receiver is on loopback: allowed for this source only (callback-ssrf.test.ts checks the refusal).
      w.h.config.file.webhooks.zendesk = {
        secret: SECRET,
        callbackUrl: `http://127.0.0.1:${receiver.port}/carebot`,
        allowPrivateCallback: true,
      };
    });
    afterAll(async () => {
      // The other blocks' tests see the source as it was configured, whichever order they run in.
      w.h.config.file.webhooks.zendesk = zendesk;
      await receiver.close();
    });
    beforeEach(() => {
      received.length = 0;
      answer = { status: 200, body: {} };
    });

    /** A stored mention from the source and a reply row to it, as the Slack side creates it. */
    const replyTo = async (id: string, text: string, source = 'zendesk') => {
      expect((await generic(valid(id), source === 'zendesk' ? {} : { source, secret: 'default-secret-0123456789' })).status).toBe(202);
      const [mention] = await w.h.s.db
        .select()
        .from(mentions)
        .where(eq(mentions.externalId, `${source}/${id}`));
      // A reply answers a mention carebot has read (its card is in Slack): no workers run here, so ingest it as the stage would.
      await ingest(w.h.s, mention!.jobId!, [mention!.id]);
      const [row] = await w.h.s.db
        .insert(replies)
        .values({ idempotencyKey: `k-${source}-${id}`, mentionId: mention!.id, platform: 'webhook', text })
        .returning();
      return row!.id;
    };
    const replyRow = async (id: number) => (await w.h.s.db.select().from(replies).where(eq(replies.id, id)))[0]!;

    it("posts the reply to the source's callback URL, signed like its deliveries, and stores what the source calls it", async () => {
      answer = { status: 200, body: { id: 'zd-comment-99', url: 'https://acme.zendesk.com/tickets/7' } };
      const id = await replyTo('T-7', 'We have refunded your order.');
      await sendReply(w.h.s, id);
      const call = received.at(-1)!;
      expect(
        checkWebhookSignature(
          SECRET,
          'zendesk',
          { signature: call.headers['x-carebot-signature'] as string, timestamp: call.headers['x-carebot-timestamp'] as string },
          Buffer.from(call.body),
        ),
      ).toBeUndefined();
      expect(
        checkWebhookSignature(
          'someone-elses-secret-000',
          'zendesk',
          { signature: call.headers['x-carebot-signature'] as string, timestamp: call.headers['x-carebot-timestamp'] as string },
          Buffer.from(call.body),
        ),
      ).toBe('bad signature');
      expect(JSON.parse(call.body)).toEqual({
        type: 'reply',
        // The reply's idempotency key: a retry after a lost answer carries the same id.
        id: 'k-zendesk-T-7',
        source: 'zendesk',
        inReplyTo: 'T-7',
        conversationId: 'T-7',
        author: { id: 'c-9', handle: 'dana' },
        text: 'We have refunded your order.',
      });
      expect(await replyRow(id)).toMatchObject({ state: 'sent', externalId: 'zd-comment-99', url: 'https://acme.zendesk.com/tickets/7' });
    });

    it('ends a reply the source refuses as failed with its reason, and says when it must wait or retry', async () => {
      answer = { status: 410, body: { error: 'ticket closed' } };
      const id = await replyTo('T-8', 'Hello?');
      await expect(sendReply(w.h.s, id)).rejects.toThrow(/410/);
      expect(await replyRow(id)).toMatchObject({ state: 'failed', error: 'callback answered 410: {"error":"ticket closed"}' });

      const [mention] = await w.h.s.db.select().from(mentions).where(eq(mentions.externalId, 'zendesk/T-8'));
      const target = {
        platform: 'webhook' as const,
        externalId: 'zendesk/T-8',
        conversationId: 'zendesk/T-8',
        payload: mention!.payload,
        author: { id: 'c-9', handle: 'dana', displayName: null, followers: null, profileUrl: null },
        private: false,
      };
      answer = { status: 429, body: {}, headers: { 'retry-after': '30' } };
      expect(await w.h.s.connectors.webhook!.reply(target, 'x').catch((e: unknown) => e)).toMatchObject({
        kind: 'rate_limited',
        retryAfterMs: 30_000,
      });
      answer = { status: 503, body: {} };
      expect(await w.h.s.connectors.webhook!.reply(target, 'x').catch((e: unknown) => e)).toMatchObject({ kind: 'unavailable' });
      // Two tries of one reply: each reaches the source, carrying the same id, and each hears the refusal.
      const before = received.length;
      const sameKey = await Promise.allSettled(
        [1, 2].map(() => w.h.s.connectors.webhook!.reply(target, 'x', { idempotencyKey: 'reply-5' })),
      );
      expect(sameKey).toEqual([
        { status: 'rejected', reason: expect.objectContaining({ kind: 'unavailable', message: 'callback answered 503: {}' }) },
        { status: 'rejected', reason: expect.objectContaining({ kind: 'unavailable', message: 'callback answered 503: {}' }) },
      ]);
      expect(received.slice(before).map((r) => JSON.parse(r.body).id)).toEqual(['reply-5', 'reply-5']);
    });

    it('refuses to reply to a source without a callback URL', async () => {
      const before = received.length;
      const id = await replyTo('TF-1', 'Thanks!', 'typeform');
      await expect(sendReply(w.h.s, id)).rejects.toThrow(/no callbackUrl/);
      expect(await replyRow(id)).toMatchObject({
        state: 'failed',
        error: "webhook source 'typeform' has no callbackUrl to send replies to",
      });
      expect(received.length).toBe(before);
    });
  });

  describe('X Account Activity', () => {
    it('answers the CRC challenge with the HMAC of the token', async () => {
      const res = await fetch(`${w.base}/webhooks/twitter?crc_token=challenge123`);
      expect(await res.json()).toEqual({ response_token: twitterSignature(CONSUMER_SECRET, 'challenge123') });
      expect((await fetch(`${w.base}/webhooks/twitter`)).status).toBe(400);
    });

    it("stores signed deliveries, skipping the brand's own tweets", async () => {
      const res = await post(delivery([v1('1900000000000000001'), v1('1900000000000000002', '42')]));
      expect(await res.json()).toEqual({ ok: true, received: 1 });
      const [row] = await rows();
      expect(mentionSchema.parse(registry.twitter.normalize(row!.payload))).toMatchObject({
        externalId: '1900000000000000001',
        author: { handle: 'sam', followers: 3100 },
      });
    });

    it('ignores deliveries for another account the app subscribed', async () => {
      w.h.config.TWITTER_USER_ID = '42';
      try {
        const res = await post(JSON.stringify({ for_user_id: '43', tweet_create_events: [v1('1900000000000000009')] }));
        expect(await res.json()).toEqual({ ok: true, received: 0 });
        expect(await rows()).toHaveLength(0);
      } finally {
        w.h.config.TWITTER_USER_ID = undefined;
      }
    });

    it('refuses an oversized, malformed or invalid delivery with a short reason, and stores nothing', async () => {
      const huge = JSON.stringify({
        for_user_id: '42',
        tweet_create_events: [{ ...v1('1900000000000000010'), text: 'x'.repeat(1_100_000) }],
      });
      const tooBig = await post(huge);
      expect([tooBig.status, await tooBig.json()]).toEqual([413, { error: 'entity.too.large' }]);
      const notJson = await post('{"for_user_id"');
      expect([notJson.status, await notJson.json()]).toEqual([400, { error: 'body is not JSON' }]);
      const invalid = await post(delivery([{ ...v1('1900000000000000011'), id_str: 'abc' }]));
      expect(invalid.status).toBe(422);
      expect(((await invalid.json()) as { error: string }).error).toMatch(/^tweet_create_events\.0\.id_str: /);
      expect(await rows()).toHaveLength(0);
      expect((await fetch(`${w.base}/healthz`)).status).toBe(200);
    });

    it('refuses a forged delivery and stores nothing', async () => {
      const res = await post(delivery([v1('1900000000000000003')]), twitterSignature('not-the-secret', 'x'));
      expect(res.status).toBe(401);
      expect(await rows()).toHaveLength(0);
    });
  });

  describe('fuzz', () => {
    // A seeded generator, so a failure can be replayed.
    let seed = 20261122;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const junk = (): unknown =>
      pick<() => unknown>([
        () => null,
        () => rand() * 1e12 - 5e11,
        () => '',
        () => 'x'.repeat(Math.floor(rand() * 300)),
        () => String.fromCharCode(...Array.from({ length: 20 }, () => Math.floor(rand() * 0xffff))),
        () => [junk()],
        () => ({ [pick(['id', 'text', 'author', '__proto__', 'constructor'])]: junk() }),
        () => true,
        // Well-typed but impossible: what a network never sends, and the edge must refuse.
        () => pick(['9'.repeat(20), '1'.repeat(200), String(2n ** 64n)]),
        () => 'y'.repeat(pick([20_001, 26_001, 100_000])),
        () =>
          pick([
            'Sat Jan 01 00:00:00 +0000 2000',
            'Fri Jan 01 00:00:00 +0000 2100',
            '1999-12-31T23:59:59Z',
            '2999-01-01T00:00:00Z',
            '+275760-09-13T00:00:00.000Z',
          ]),
        () => pick(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'ftp://example.com/x']),
        () => pick(['a'.repeat(16), 'has space', 'ünïcode']),
      ])();
    const mutate = (value: Record<string, unknown>): unknown => {
      const copy = structuredClone(value) as Record<string, unknown>;
      const keys = Object.keys(copy);
      switch (Math.floor(rand() * 5)) {
        case 0:
          delete copy[pick(keys)];
          return copy;
        case 1:
          copy[pick(keys)] = junk();
          return copy;
        case 2:
          copy[pick(['extra', 'id', 'author'])] = junk();
          return copy;
        case 3:
          return junk();
        default:
          return copy;
      }
    };
    const asText = (v: unknown) => (rand() < 0.1 ? JSON.stringify(v).slice(0, Math.floor(rand() * 40)) : (JSON.stringify(v) ?? 'null'));

    it('answers 1,000 random and mutated payloads per route with 2xx or 4xx, stores only valid mentions, and keeps serving', async () => {
      const statuses = new Map<number, number>();
      const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
      for (let i = 0; i < 1000; i++) {
        const mention = JSON.parse(valid(`F-${i}`)) as Record<string, unknown>;
        if (rand() < 0.3) mention.author = mutate({ ...(mention.author as object), url: 'https://example.com/dana' });
        if (rand() < 0.2) mention.url = junk();
        const body = asText(mutate(mention));
        const opts =
          rand() < 0.8
            ? {}
            : pick([{ signature: 'sha256=abc' }, { ts: now() - 1000 }, { source: pick(['', 'NOPE', '../x', 'a'.repeat(80)]) }]);
        count((await generic(body, opts)).status);
      }
      for (let i = 0; i < 1000; i++) {
        const original = v1(String(1900000000000001000n + BigInt(i))) as Record<string, unknown>;
        if (rand() < 0.3) original.user = mutate(original.user as Record<string, unknown>);
        if (rand() < 0.2) original[pick(['in_reply_to_status_id_str', 'lang', 'full_text'])] = junk();
        const tweet = mutate(original) as Record<string, unknown>;
        const body = asText(
          rand() < 0.5
            ? { for_user_id: '42', tweet_create_events: [tweet] }
            : mutate({ for_user_id: '42', tweet_create_events: [tweet] } as Record<string, unknown>),
        );
        count((await post(body, rand() < 0.85 ? undefined : 'sha256=forged')).status);
      }
      for (const status of statuses.keys()) expect(status >= 200 && status < 500, `status ${status}`).toBe(true);
      expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
      expect([...statuses.keys()].some((s) => s < 300)).toBe(true);

      const stored = await rows();
      expect(stored.length).toBeGreaterThan(0);
      for (const row of stored) {
        expect(() => mentionSchema.parse(registry[row.platform as Platform].normalize(row.payload)), row.externalId).not.toThrow();
      }
      expect((await fetch(`${w.base}/healthz`)).status).toBe(200);
    });
  });
});
