import { and, count, eq, isNotNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { followUpCounts } from '../../src/incidents/follow-ups.js';
import { mentions, replies } from '../../src/db/schema.js';
import type { SlackMessage } from '../fakes/slack.js';
import { agentA } from '../slack/inbox-harness.js';
import { exited, spawnCarebot } from '../support/child.js';
import { eventually } from '../support/services.js';
import { incidentSuite } from './incident-harness.js';

const CUSTOMERS = 500;
const X_CUSTOMERS = 250;
/** Every tenth customer wrote twice: the follow-up answers the later message. */
const wroteTwice = (i: number) => i % 10 === 3;
/** X customers who deleted their latest tweet, Discord customers who blocked DMs: skipped. */
const gone = (i: number) => i % 50 === 7;

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
  const killAll = async () => {
    for (const c of children.splice(0)) {
      c.kill('SIGKILL');
      await exited(c);
    }
  };

  /** 500 customers write about the outage on X (by tweet) and Discord (DM or a mention in #general). */
  const customersWrite = async (): Promise<Customer[]> => {
    const customers: Customer[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const twice = wroteTwice(i);
      if (i < X_CUSTOMERS) {
        const author = { authorId: String(3_000_000 + i), username: `xc${i}` };
        if (twice) t.x.addMention({ text: `login still broken (${i})`, ...author });
        const tweet = t.x.addMention({ text: `cannot login at all (${i}${twice ? ', again' : ''})`, ...author });
        customers.push({ platform: 'twitter', authorId: author.authorId, latest: tweet.id, skipped: gone(i) });
        // The first poll ever reads only the newest page: poll once early so the next one pages back.
        if (i === 0) await t.inbox.poll();
      } else {
        const dm = i % 2 === 0;
        const author = { authorId: String(4_000_000 + i), username: `dc${i}` };
        const where = dm ? { channelId: String(5_000_000 + i), dm: true } : { channelId: t.discord.channelId('general'), mentionsBot: true };
        if (twice) t.discord.dispatchMessage({ ...where, ...author, content: `login still broken (${i})` });
        const message = t.discord.dispatchMessage({ ...where, ...author, content: `cannot login at all (${i}${twice ? ', again' : ''})` });
        customers.push({ platform: 'discord', authorId: author.authorId, latest: message.id as string, skipped: dm && gone(i) });
      }
    }
    await t.inbox.poll();
    return customers;
  };

  /** What the fakes say each customer received, by platform and author: the ids of the messages answered. */
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

  it('sends each of 500 linked customers exactly one follow-up though the worker is SIGKILLed half-way', async () => {
    try {
      // Fast enough that 500 take seconds; X's posting window is raised so that the pace is ours.
      await t.startAll({ repliesPerMinute: { twitter: 3000, discord: 3000 } }, { workers: false });
      t.x.setRateLimit('POST /2/tweets', 10_000);
      const { card } = await t.declare({ title: 'Login outage', keywords: 'login', public_text: 'We are investigating problems signing in.' });
      const customers = await customersWrite();

      const db = t.inbox.h.s.db;
      const first = worker();
      await eventually(
        'every customer linked to the incident',
        async () => (await db.select({ id: mentions.id }).from(mentions).where(and(isNotNull(mentions.incidentId), eq(mentions.state, 'notified')))).length === CUSTOMERS + customers.filter((_, i) => wroteTwice(i)).length,
        60_000,
      );
      // Before the fix: gone from X, DMs closed.
      for (const c of customers.filter((c) => c.skipped)) {
        if (c.platform === 'twitter') t.x.deleteTweet(c.latest);
        else t.discord.blockDirectMessages(c.authorId);
      }

      const started = Date.now();
      await resolve(card);
      await eventually('some follow-ups sent', () => followUpsReceived(customers).total >= 100, 60_000);
      first.kill('SIGKILL');
      await exited(first);
      const beforeKill = followUpsReceived(customers).total;
      const [caught] = await db.select({ n: count() }).from(replies).where(eq(replies.state, 'sending'));
      expect(beforeKill).toBeLessThan(CUSTOMERS - 10);

      worker();
      const counts = await eventually('every follow-up settled', async () => {
        const c = await followUpCounts(db, 1);
        return c.open === 0 && c;
      }, 120_000);
      const summary = await eventually('the follow-up summary', () => t.thread(card).find((m) => m.text.startsWith('Follow-ups:')), 30_000);
      const seconds = (Date.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 1500)); // a second send would show by now

      const { received, stray } = followUpsReceived(customers);
      const skipped = customers.filter((c) => c.skipped).length;
      console.info(`follow-up crash: ${beforeKill} sent before the kill, ${caught?.n ?? 0} caught mid-send, ${CUSTOMERS - skipped - beforeKill} after, ${skipped} skipped, ${seconds.toFixed(1)} s from resolve to summary; ${JSON.stringify(counts)}`);
      expect(stray).toEqual([]);
      for (const [c, got] of received) expect({ ...c, got: got.length }).toEqual({ ...c, got: c.skipped ? 0 : 1 });
      expect(counts).toEqual({ sent: CUSTOMERS - skipped, failed: 0, skipped, open: 0 });
      expect(summary.text).toBe(`Follow-ups: ${CUSTOMERS - skipped} sent, 0 failed, ${skipped} skipped (deleted tweet / blocked DM)`);
    } finally {
      await killAll();
    }
  });

  const resolve = async (card: SlackMessage) => {
    const modals = t.slack.modals().length;
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, 'carebot.incident_resolve');
    await eventually('the resolve modal', () => t.slack.modals().length > modals);
    expect((await t.inbox.slackEvents.submitView(t.lastModal().id, agentA, {})).status).toBe(200);
  };
});
