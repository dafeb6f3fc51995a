import { and, count, eq, inArray, isNotNull } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { followUpCounts } from '../../src/incidents/follow-ups.js';
import { incidents, mentions, replies } from '../../src/db/schema.js';
import type { SlackMessage } from '../../fakes/slack.js';
import { agentA } from '../slack/inbox-harness.js';
import { exited, spawnCarebot } from '../support/child.js';
import { eventually } from '../support/services.js';
import { settled } from '../support/settle.js';
import { incidentSuite } from './incident-harness.js';

const CUSTOMERS = 500;
/** Every tenth customer wrote twice: the follow-up answers the later message. */
const wroteTwice = (i: number) => i % 10 === 3;
/** X customers who deleted their latest tweet, Discord customers who blocked DMs: skipped. */
const gone = (i: number) => i % 50 === 8;

interface Customer {
  platform: 'twitter' | 'discord';
  authorId: string;
  /** The id of their latest message: the one a follow-up must answer. */
  latest: string;
  skipped: boolean;
}

// Worker processes share the database with the test: PostgreSQL only (PGlite has one owner).
describe.skipIf(!process.env.TEST_DATABASE_URL)('incident follow-ups when a worker process dies mid-way', () => {
  const t = incidentSuite('postgres');
  const children: ReturnType<typeof spawnCarebot>[] = [];
  const worker = () => {
    const child = spawnCarebot(t.inbox.h.env);
    children.push(child);
    return child;
  };
  afterEach(async () => {
    for (const c of children.splice(0)) {
      c.kill('SIGKILL');
      await exited(c);
    }
  });

  /** Customers write about the outage on X (by tweet), the other half on Discord (DM or a mention in #general). */
  const customersWrite = async (n: number): Promise<Customer[]> => {
    const customers: Customer[] = [];
    for (let i = 0; i < n; i++) {
      const twice = wroteTwice(i);
      if (i < n / 2) {
        const author = { authorId: String(3_000_000 + i), username: `xc${i}` };
        if (twice) t.x.addMention({ text: `login still broken (${i})`, ...author });
        const tweet = t.x.addMention({ text: `cannot login at all (${i}${twice ? ', again' : ''})`, ...author });
        customers.push({ platform: 'twitter', authorId: author.authorId, latest: tweet.id, skipped: gone(i) });
        // The first poll ever reads only the newest page: poll once early so the next one pages back.
        if (i === 0) await t.inbox.poll();
      } else {
        const dm = i % 2 === 0;
        const author = { authorId: String(4_000_000 + i), username: `dc${i}` };
        const where = dm
          ? { channelId: String(5_000_000 + i), dm: true }
          : { channelId: t.discord.channelId('general'), mentionsBot: true };
        if (twice) t.discord.dispatchMessage({ ...where, ...author, content: `login still broken (${i})` });
        const message = t.discord.dispatchMessage({ ...where, ...author, content: `cannot login at all (${i}${twice ? ', again' : ''})` });
        customers.push({ platform: 'discord', authorId: author.authorId, latest: message.id as string, skipped: dm && gone(i) });
      }
    }
    await t.inbox.poll();
    return customers;
  };

  /** What the fakes say each customer received: the ids of their messages answered, and answers to anything else. */
  const followUpsReceived = (customers: Customer[]) => {
    const byMessage = new Map<string, Customer>();
    for (const c of customers) byMessage.set(c.latest, c);
    const received = new Map<Customer, string[]>(customers.map((c) => [c, []]));
    const answered = [
      ...t.x.posted.filter((p) => p.text.includes('is fixed')).map((p) => p.inReplyTo),
      ...t.discord.sent.filter((m) => m.content.includes('is fixed')).map((m) => m.messageReference?.message_id as string | undefined),
    ];
    const stray: Array<string | undefined> = [];
    for (const id of answered) {
      const c = id ? byMessage.get(id) : undefined;
      if (c) received.get(c)!.push(id!);
      else stray.push(id);
    }
    return { received, stray, total: answered.length };
  };

  /**
   * carebot with its workers in a child process, an incident, `n` customers linked to it (the
   * first worker links them), and those who deleted their tweet or blocked DMs marked.
   */
  const linkedCustomers = async (n: number) => {
    // Fast enough that 500 take seconds; X's posting window is raised so that the pace is ours.
    await t.startAll({ repliesPerMinute: { twitter: 3000, discord: 3000 } }, { workers: false });
    t.x.setRateLimit('POST /2/tweets', 10_000);
    const { card } = await t.declare({
      title: 'Login outage',
      keywords: 'login',
      public_text: 'We are investigating problems signing in.',
    });
    const customers = await customersWrite(n);
    const first = worker();
    const db = t.inbox.h.s.db;
    const messages = n + customers.filter((_, i) => wroteTwice(i)).length;
    await eventually(
      'every customer linked to the incident',
      async () =>
        (
          await db
            .select({ n: count() })
            .from(mentions)
            .where(and(isNotNull(mentions.incidentId), eq(mentions.state, 'notified')))
        )[0]!.n === messages,
      60_000,
    );
    // While the outage lasts, some leave: tweet deleted, DMs closed.
    for (const c of customers.filter((c) => c.skipped)) {
      if (c.platform === 'twitter') t.x.deleteTweet(c.latest);
      else t.discord.blockDirectMessages(c.authorId);
    }
    return { card, customers, first };
  };

  /** Once every follow-up is settled and summed up: exactly one per customer, as the database and the thread say. */
  const expectExactlyOneEach = async (card: SlackMessage, customers: Customer[]) => {
    const { h } = t.inbox;
    // Until nothing more can send: every follow-up settled, no outbound job left (a dead worker's
    // job counts until it is taken back and run), and the reconciler has had a round since.
    await settled(h, 'every follow-up settled', ['outbound'], async () => (await followUpCounts(h.s.db, 1)).open === 0);
    const counts = await followUpCounts(h.s.db, 1);
    const summary = await eventually('the follow-up summary', () => t.thread(card).find((m) => m.text.startsWith('Follow-ups:')), 30_000);
    // Recorded as posted: no later round of the incident tick posts it again.
    await eventually('the follow-up summary recorded', async () => {
      const [incident] = await h.s.db.select({ ts: incidents.followUpsReportTs }).from(incidents).where(eq(incidents.id, 1));
      return incident?.ts === summary.ts;
    });
    const { received, stray } = followUpsReceived(customers);
    expect(stray).toEqual([]);
    for (const [c, got] of received) expect({ ...c, got: got.length }).toEqual({ ...c, got: c.skipped ? 0 : 1 });
    const skipped = customers.filter((c) => c.skipped).length;
    const sent = customers.length - skipped;
    expect(counts).toEqual({ sent, failed: 0, skipped, open: 0 });
    expect(summary.text).toBe(`Follow-ups: ${sent} sent, 0 failed, ${skipped} skipped (deleted tweet / blocked DM)`);
    expect(t.thread(card).filter((m) => m.text.startsWith('Follow-ups:'))).toHaveLength(1);
    return { sent, skipped };
  };

  /** The follow-ups in 'sending', and whether the network has each (its answer is what the dead worker missed). */
  const midSend = async (customers: Customer[]) => {
    const { received } = followUpsReceived(customers);
    const arrived = new Set([...received].filter(([, got]) => got.length).map(([c]) => c.latest));
    const rows = await t.inbox.h.s.db
      .select({ id: replies.id, platform: replies.platform, answers: mentions.externalId })
      .from(replies)
      .innerJoin(mentions, eq(replies.mentionId, mentions.id))
      .where(eq(replies.state, 'sending'));
    return rows.map((r) => ({ ...r, arrived: arrived.has(r.answers) }));
  };

  it('sends each of 500 linked customers exactly one follow-up though the worker is SIGKILLed half-way', { timeout: 180_000 }, async () => {
    const { card, customers, first } = await linkedCustomers(CUSTOMERS);
    const started = Date.now();
    await resolve(card);
    await eventually('a hundred follow-ups sent', () => followUpsReceived(customers).total >= 100, 60_000);
    // Two calls the worker dies in: a tweet X posted but whose answer never came back, and a
    // Discord DM whose channel lookup (before the message is sent) never came back.
    // Only a tweet X accepts: the next request may be the reply to a customer's deleted tweet, refused.
    const posted = t.x.holdNext('POST /2/tweets', { accepted: true });
    const looking = t.discord.holdNext('GET /channels/:id');
    await Promise.all([posted.arrived, looking.arrived]);
    first.kill('SIGKILL');
    await exited(first);
    posted.release();
    looking.release();
    const beforeKill = followUpsReceived(customers).total;
    const caught = await midSend(customers);
    expect(beforeKill).toBeLessThan(CUSTOMERS - 50);
    expect(caught.filter((r) => r.platform === 'twitter' && r.arrived).length).toBeGreaterThan(0);
    expect(caught.filter((r) => r.platform === 'discord' && !r.arrived).length).toBeGreaterThan(0);

    worker();
    const { sent, skipped } = await expectExactlyOneEach(card, customers);
    // What the network already had is recorded as sent, with its id: found, not sent again.
    const found = await t.inbox.h.s.db
      .select()
      .from(replies)
      .where(
        inArray(
          replies.id,
          caught.filter((r) => r.arrived).map((r) => r.id),
        ),
      );
    const postedIds = new Set([...t.x.posted, ...t.discord.sent].map((p) => p.id));
    for (const r of found) expect(postedIds.has(r.externalId!)).toBe(true);
    console.info(
      `follow-up crash: ${beforeKill} sent before the kill, ${caught.length} caught mid-send (${caught.filter((r) => r.arrived).length} had reached the network), ` +
        `${sent - beforeKill} sent after, ${skipped} skipped, ${((Date.now() - started) / 1000).toFixed(1)} s from resolve to summary`,
    );
  });

  it('settles a follow-up whose job was in three workers that died (BullMQ then fails it unrun): found on X, not sent again', {
    timeout: 120_000,
  }, async () => {
    const { card, customers, first } = await linkedCustomers(2); // one on X, one on Discord
    const posted = t.x.holdNext('POST /2/tweets');
    await resolve(card);
    await posted.arrived;
    let dying = first;
    for (let death = 1; death < 3; death++) {
      dying.kill('SIGKILL');
      await exited(dying);
      // The next worker gets the job back and dies while asking X whether the tweet arrived.
      const looking = t.x.holdNext('GET /2/tweets/search/recent');
      dying = worker();
      await looking.arrived;
    }
    dying.kill('SIGKILL');
    await exited(dying);
    worker();
    await expectExactlyOneEach(card, customers);
    const [x] = await t.inbox.h.s.db.select().from(replies).where(eq(replies.platform, 'twitter'));
    expect(x).toMatchObject({ state: 'sent', externalId: t.x.posted.find((p) => p.text.includes('is fixed'))!.id });
  });

  it('still sends each customer exactly one follow-up when Redis is flushed between resolve and sending', {
    timeout: 120_000,
  }, async () => {
    const { card, customers, first } = await linkedCustomers(100);
    first.kill('SIGKILL'); // nobody sends until Redis has lost the queued follow-ups
    await exited(first);
    await resolve(card);
    const { h } = t.inbox;
    expect(await h.s.queues.outbound.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(100);
    const keys = await h.s.redis.keys(`${h.config.QUEUE_PREFIX}:*`);
    await h.s.redis.del(...keys);
    expect(await h.s.queues.outbound.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(0);

    worker();
    await expectExactlyOneEach(card, customers);
  });

  const resolve = async (card: SlackMessage) => {
    const modals = t.slack.modals().length;
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, 'carebot.incident_resolve');
    await eventually('the resolve modal', () => t.slack.modals().length > modals);
    expect((await t.inbox.slackEvents.submitView(t.lastModal().id, agentA, {})).status).toBe(200);
  };
});
