import { eq, lt, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { mentions, replies, slackThreads } from '../../src/db/schema.js';
import { receive } from '../../src/pipeline/receive.js';
import { dbKinds } from '../support/db.js';
import { everydayTweets, tweet } from '../support/mentions.js';
import { createHarness, eventually, withFakeSlack } from '../support/services.js';
import { drained, maintenanceRound } from '../support/settle.js';

const INBOX = 'C0INBOX001';

describe.each(dbKinds)('pipeline on %s', (kind) => {
  const t = withFakeSlack();

  const start = async (env: Record<string, string | undefined> = {}) => {
    t.h = await createHarness(kind, { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: t.slack.url, SLACK_INBOX_CHANNEL: INBOX, ...env });
    t.h.startWorkers();
  };
  const row = async (externalId: string) => (await t.h.s.db.select().from(mentions).where(eq(mentions.externalId, externalId)))[0]!;
  const cards = () => t.slack.messages(INBOX).filter((m) => !m.thread_ts);

  it('takes a mention from a connector to a card in Slack, with its triage', async () => {
    await start();
    const m = tweet('@brand the app is down again and I still cannot log in, this is ridiculous');
    await receive(t.h.s, [m]);
    const done = await eventually('the mention to be notified', async () => {
      const r = await row(m.externalId);
      return r.state === 'notified' && r;
    });
    expect(cards()).toHaveLength(1);
    const card = cards()[0]!;
    expect(card.ts).toBe(done.slackTs);
    expect(JSON.stringify(card.blocks)).toContain('the app is down again');
    expect(JSON.stringify(card.blocks)).toContain('jamie_customer');
    expect(done.triage).toMatchObject({ sentiment: { label: 'negative' } });
    expect(done.priority).toMatch(/^P[1-4]$/);
    const [thread] = await t.h.s.db.select().from(slackThreads);
    expect(thread).toMatchObject({ channel: INBOX, threadTs: card.ts, rootMentionId: done.id });
  });

  it('gives one row and one card when the same mention arrives twice, even at once', async () => {
    await start();
    const m = tweet('@brand where is my refund? been waiting 3 weeks');
    const results = await Promise.all([receive(t.h.s, [m]), receive(t.h.s, [m]), receive(t.h.s, [m, m])]);
    expect(results.reduce((n, r) => n + r.stored, 0)).toBe(1);
    await eventually('the card', () => cards().length === 1);
    expect(await receive(t.h.s, [m])).toEqual({ stored: 0, duplicates: 1 }); // a webhook retry long after
    // A second card could only come from a job of these stages: once none is left, it had its chance.
    await drained(t.h, ['ingest', 'analyze', 'notify']);
    expect(await t.h.s.db.select().from(mentions)).toHaveLength(1);
    expect(t.slack.messages()).toHaveLength(1);
  });

  it("threads a customer's follow-up under the first card instead of a new card", async () => {
    await start();
    const first = tweet('@brand my order never arrived');
    await receive(t.h.s, [first]);
    const root = await eventually('the first card', () => cards()[0]);
    const followUp = tweet('@brand hello?? anyone there', { conversationId: first.externalId, inReplyTo: first.externalId });
    await receive(t.h.s, [followUp]);
    const reply = await eventually('the follow-up in the thread', () => t.slack.messages(INBOX).find((m) => m.thread_ts));
    expect(reply.thread_ts).toBe(root.ts);
    expect(cards()).toHaveLength(1);
  });

  it('reopens a resolved conversation when the customer writes again, and says so on the card', async () => {
    await start();
    const first = tweet('@brand my order never arrived');
    await receive(t.h.s, [first]);
    const root = await eventually('the first card', () => cards()[0]);
    await t.h.s.db.update(slackThreads).set({ status: 'resolved', resolvedAt: new Date() });
    await receive(t.h.s, [tweet('@brand it still has not arrived', { conversationId: first.externalId, inReplyTo: first.externalId })]);
    const [thread] = await eventually('the conversation reopened', async () => {
      const rows = await t.h.s.db.select().from(slackThreads);
      return rows[0]?.status === 'new' && rows;
    });
    expect(thread!.resolvedAt).toBeNull();
    // The card is refreshed just after the status is stored.
    const update = await eventually('the card refreshed', () =>
      t.slack.calls.find((c) => c.method === 'chat.update' && c.body.ts === root.ts),
    );
    expect(JSON.stringify(update.body.blocks)).toContain(':new: New');
  });

  it('gives a customer who writes again long after the conversation was resolved a new card that links the earlier one', async () => {
    await start();
    const first = tweet('@brand my order never arrived');
    await receive(t.h.s, [first]);
    const root = await eventually('the first card', () => cards()[0]);
    const longAgo = new Date(Date.now() - 8 * 24 * 3_600_000); // beyond the default window of 7 days
    await t.h.s.db.update(slackThreads).set({ status: 'resolved', resolvedAt: longAgo, assignee: 'U0AGENTAAA' });
    const again = tweet('@brand new order, same problem', { conversationId: first.externalId, inReplyTo: first.externalId });
    await receive(t.h.s, [again]);
    const card = await eventually('a second card', () => cards()[1]);
    expect(JSON.stringify(card.blocks)).toContain('new order, same problem');
    expect(JSON.stringify(card.blocks)).toContain(`archives/${INBOX}/p${root.ts.replace('.', '')}|Earlier conversation with this customer`);
    expect(t.slack.messages(INBOX).filter((m) => m.thread_ts)).toHaveLength(0); // not under the old card
    // The card is posted before its conversation row records where it is.
    const thread = await eventually('the conversation row at the new card', async () => {
      const [row] = await t.h.s.db.select().from(slackThreads);
      return row?.threadTs === card.ts && row;
    });
    expect(thread).toMatchObject({ earlierThreadTs: root.ts, status: 'new', assignee: null, resolvedAt: null });
    expect(thread.rootMentionId).toBe((await row(again.externalId)).id);
  });

  it("shows a customer's edit on the card and marks a deleted message, cancelling the reply not yet sent", async () => {
    await start();
    const first = tweet('@brand my order never arrived');
    await receive(t.h.s, [first]);
    const root = await eventually('the first card', () => cards()[0]);
    const edited = tweet('@brand my order arrived broken', { id: first.externalId });
    await receive(t.h.s, [{ ...edited, change: 'edited' }]);
    const shown = await eventually('the card showing the edit', () =>
      t.slack.calls.find(
        (c) => c.method === 'chat.update' && c.body.ts === root.ts && JSON.stringify(c.body.blocks).includes('arrived broken'),
      ),
    );
    expect(JSON.stringify(shown.body.blocks)).toContain('Edited by the customer');
    expect((await row(first.externalId)).text).toBe('@brand my order arrived broken');

    const m = await row(first.externalId);
    await t.h.s.db
      .insert(replies)
      .values({ idempotencyKey: 'unsent', mentionId: m.id, platform: 'twitter', text: 'so sorry', state: 'pending' });
    await receive(t.h.s, [
      {
        platform: 'twitter',
        externalId: first.externalId,
        payload: { delete: { status: { id_str: first.externalId } } },
        change: 'deleted',
      },
    ]);
    await eventually('the card marked deleted', () =>
      t.slack.calls.find(
        (c) => c.method === 'chat.update' && c.body.ts === root.ts && JSON.stringify(c.body.blocks).includes('Deleted by the customer'),
      ),
    );
    expect((await row(first.externalId)).deletedAt).toBeInstanceOf(Date);
    const [cancelled] = await t.h.s.db.select().from(replies).where(eq(replies.idempotencyKey, 'unsent'));
    expect(cancelled).toMatchObject({ state: 'skipped', error: expect.stringMatching(/deleted/) });
    // A delete or edit of a message carebot never stored is not a mention.
    expect(await receive(t.h.s, [{ platform: 'twitter', externalId: '999', payload: {}, change: 'deleted' }])).toEqual({
      stored: 0,
      duplicates: 0,
    });
  });

  it('posts one card for a conversation whose messages are notified at the same time', async () => {
    await start();
    const first = tweet('@brand checkout is broken');
    const rest = [1, 2, 3].map((i) => tweet(`@brand still broken ${i}`, { conversationId: first.externalId }));
    await receive(t.h.s, [first, ...rest]);
    await eventually('all four in Slack', () => t.slack.messages(INBOX).length === 4);
    expect(cards()).toHaveLength(1);
    expect(t.slack.messages(INBOX).filter((m) => m.thread_ts === cards()[0]!.ts)).toHaveLength(3);
  });

  it('joins deliveries that arrive together (one webhook each) into one ingest job, and loses none', async () => {
    await start();
    const deliveries = everydayTweets(20);
    const results = await Promise.all(deliveries.map((m) => receive(t.h.s, [m])));
    expect(results.every((r) => r.stored === 1)).toBe(true);
    const rows = await t.h.s.db.select().from(mentions);
    expect(rows).toHaveLength(20);
    await eventually('all 20 cards', () => cards().length === 20);
    // One ingest job was queued, and it carried all twenty (finished jobs are kept: defaultJobOptions).
    const ingestJobs = await t.h.s.queues.ingest.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized']);
    expect(ingestJobs.map((j) => j.data.mentionIds.toSorted((a, b) => a - b))).toEqual([rows.map((r) => r.id).toSorted((a, b) => a - b)]);
  });

  it('rejects a malformed mention with its reason stored, and the queue goes on', async () => {
    await start();
    const bad = tweet('placeholder');
    (bad.payload as { tweet: Record<string, unknown> }).tweet.author_id = undefined;
    const empty = tweet('');
    const good = tweet('@brand love the new update, thanks!');
    await receive(t.h.s, [bad, empty, good]);
    await eventually('the good mention to be notified', async () => (await row(good.externalId)).state === 'notified');
    const rejected = await row(bad.externalId);
    expect(rejected.state).toBe('rejected');
    expect(rejected.error).toMatch(/author_id/);
    expect((await row(empty.externalId)).error).toMatch(/empty text/);
    expect(cards()).toHaveLength(1);
  });

  it('posts a card for a long message and for one whose emoji straddles the notification cut', async () => {
    await start();
    // 149 characters, then an emoji (two UTF-16 units): a naive cut at 150 leaves half of it.
    const straddling = tweet(`@brand ${'x'.repeat(142)}😡 the app is down`);
    const long = tweet(`@brand ${'my order & my refund <both> lost. '.repeat(500)}`);
    await receive(t.h.s, [straddling, long]);
    await eventually('both cards', () => cards().length === 2);
    for (const card of cards()) {
      expect(card.text.isWellFormed()).toBe(true);
      const section = (card.blocks as Array<{ type: string; text?: { text: string } }>).filter((b) => b.type === 'section');
      for (const b of section) expect(b.text!.text.length).toBeLessThanOrEqual(3000);
    }
    const cardOf = async (m: typeof long) => {
      const r = await eventually(`mention ${m.externalId} notified`, async () => {
        const found = await row(m.externalId);
        return found.state === 'notified' && found;
      });
      return cards().find((c) => c.ts === r.slackTs)!;
    };
    // The notification text keeps every character before the emoji, then the whole emoji or none
    // of it (never half of it, nor a replacement character); the card's quote keeps it whole.
    const straddlingCard = await cardOf(straddling);
    const cut = straddlingCard.text.slice(straddlingCard.text.indexOf('@brand '));
    expect([`@brand ${'x'.repeat(142)}😡 the app is down`, `@brand ${'x'.repeat(142)}…`]).toContain(cut);
    expect(JSON.stringify(straddlingCard.blocks)).toContain(`${'x'.repeat(142)}😡 the app is down`);
    expect((await cardOf(long)).text.endsWith('…')).toBe(true);
  });

  it('holds every worker slot while a queue is paused for a rate limit, then goes on', async () => {
    await start();
    // First one mention through every stage, so that the next reaches notify well within the pause.
    const warm = tweet('@brand is anyone there?');
    await receive(t.h.s, [warm]);
    await eventually('the first mention to be notified', async () => (await row(warm.externalId)).state === 'notified');

    const PAUSE_MS = 4000;
    const pausedFrom = Date.now();
    // What a 429 does (src/queues/stage-worker.ts): BullMQ honours it only on workers that have a limiter.
    await t.h.s.queues.notify.rateLimit(PAUSE_MS);
    const pauseEnds = pausedFrom + PAUSE_MS; // the soonest Redis can let the pause go
    const m = tweet('@brand paused but not lost');
    await receive(t.h.s, [m]);
    const done = await eventually('the card once the pause ends', async () => {
      const r = await row(m.externalId);
      return r.state === 'notified' && r;
    });
    // Told by what BullMQ and the fake Slack recorded (the clocks round to the millisecond; 100 ms
    // spares that): the job was queued while the pause held, no worker slot took it before the
    // pause ended, and its card reached Slack after.
    const job = (await t.h.s.queues.notify.getJobs(['completed'])).find((j) => j.data.mentionIds.includes(done.id))!;
    expect(job.timestamp).toBeLessThan(pauseEnds);
    expect(job.processedOn).toBeGreaterThanOrEqual(pauseEnds - 100);
    const post = t.slack.calls.find((c) => c.method === 'chat.postMessage' && String(c.body.text).includes('paused but not lost'))!;
    expect(post.at).toBeGreaterThanOrEqual(pauseEnds - 100);
    expect(cards().filter((c) => c.text.includes('paused but not lost'))).toHaveLength(1);
  });

  it('waits out a Slack 429 for as long as Slack asks, and loses nothing', async () => {
    await start();
    t.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 2);
    const batch = [1, 2, 3].map((i) => tweet(`@brand problem number ${i}`));
    await receive(t.h.s, batch);
    await eventually('three cards', () => cards().length === 3);
    const posts = t.slack.calls.filter((c) => c.method === 'chat.postMessage');
    expect(posts.length).toBe(5); // two refused, three accepted
    expect(new Set(cards().map((c) => c.text)).size).toBe(3);
    const refusedAt = posts[0]!.at;
    const nextAccepted = t.slack.calls.find((c) => c.method === 'chat.postMessage' && c.at > refusedAt + 900);
    expect(nextAccepted).toBeDefined();
  });

  it('retries a Slack 500 with backoff and posts once', async () => {
    await start();
    t.slack.failNext('chat.postMessage', { status: 500 }, 4);
    const m = tweet('@brand payment failed twice');
    await receive(t.h.s, [m]);
    await eventually('the card', async () => (await row(m.externalId)).state === 'notified');
    expect(cards()).toHaveLength(1);
  });

  it('does not queue a backlog twice: rows waiting behind a live job are left to it', async () => {
    // No Slack token: no notify worker, so the notify jobs wait, as in a long backlog.
    await start({ SLACK_BOT_TOKEN: undefined });
    await receive(t.h.s, everydayTweets(20));
    await eventually('all analyzed', async () => (await t.h.s.db.select().from(mentions)).every((r) => r.state === 'analyzed'));
    const before = (await t.h.s.db.select().from(mentions)).map((r) => r.jobId);
    // Rows are marked analyzed a moment before their notify jobs are added.
    const jobs = await eventually('the notify jobs', async () => {
      const c = await t.h.s.queues.notify.getJobCounts('waiting', 'prioritized');
      return c.waiting! + c.prioritized! > 0 && c;
    });
    // Every row is past STUCK_AFTER by the database's clock (the one the reconciler reads)...
    const stuckBefore = sql`now() - make_interval(secs => ${t.h.config.STUCK_AFTER_SECONDS})`;
    await eventually(
      'every row past STUCK_AFTER',
      async () => (await t.h.s.db.select().from(mentions).where(lt(mentions.updatedAt, stuckBefore))).length === 20,
    );
    // ...then two whole reconciler rounds that read them so: the third round starting means the
    // second, which started after this point, has finished.
    for (let round = 0; round < 3; round++) await maintenanceRound(t.h);
    expect((await t.h.s.db.select().from(mentions)).map((r) => r.jobId)).toEqual(before);
    expect(await t.h.s.queues.notify.getJobCounts('waiting', 'prioritized')).toEqual(jobs);
    expect(jobs.waiting! + jobs.prioritized!).toBeLessThanOrEqual(4); // one job per priority in the batch
  });

  it('loses nothing when Redis is flushed mid-run: the reconciler re-queues from the database', async () => {
    await start();
    // Everything carebot keeps in Redis lives under its prefix: deleting it all is a flush for
    // carebot, and spares the other test files that share this Redis.
    const flush = async () => {
      const keys = await t.h.s.redis.keys(`${t.h.config.QUEUE_PREFIX}:*`);
      if (keys.length) await t.h.s.redis.del(...keys);
    };
    const batch = everydayTweets(30);
    await receive(t.h.s, batch.slice(0, 15));
    await flush();
    await receive(t.h.s, batch.slice(15));
    // Lets the second batch get under way, so the next flush lands mid-run. Nothing rests on where
    // it lands: whatever stage it finds the batch in, nothing may be lost.
    await new Promise((r) => setTimeout(r, 50));
    await flush();
    // A card is posted before its row is marked notified: wait for both.
    await eventually(
      'all 30 rows notified',
      async () => (await t.h.s.db.select().from(mentions)).every((r) => r.state === 'notified'),
      30_000,
    );
    expect(await t.h.s.db.select().from(mentions)).toHaveLength(30);
    expect(cards()).toHaveLength(30);
    expect(new Set(cards().map((c) => c.ts)).size).toBe(30);
  });
});
