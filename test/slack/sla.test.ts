import { type AnyColumn, eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { incidents, mentions, slackThreads } from '../../src/db/schema.js';
import { actionIds } from '../../src/slack/views/action-ids.js';
import type { SlackMessage } from '../../fakes/slack.js';
import { eventually } from '../support/services.js';
import { finished } from '../support/settle.js';
import { INBOX, agentA, inboxSuite } from './inbox-harness.js';

// An hour's first-response target for every priority, the reminder half-way (30 minutes before
// the deadline). The schedule runs the check every 0.3 s on the real clock, which never gets
// near either point during a test; the checks that matter run as of times the test gives them.
const sla = { P1: 60, P2: 60, P3: 60, P4: 60 };
const MINUTE = 60_000;
const REMIND_BEFORE = 30 * MINUTE;

describe('first-response SLA', () => {
  const t = inboxSuite();
  const start = () => t.start({ env: { SLA_CHECK_SECONDS: '0.3' }, file: { slack: { sla, slaRemindAt: 0.5 } } });
  const inThread = (card: { ts: string }, start: string) =>
    t.slack.messages(INBOX).filter((m) => m.thread_ts === card.ts && m.text.startsWith(start));
  // The card is posted before its conversation row records where it is.
  const threadOf = (card: SlackMessage) =>
    eventually('the conversation row of the card', async () => {
      const [row] = await t.inbox.h.s.db.select().from(slackThreads).where(eq(slackThreads.threadTs, card.ts));
      return row;
    });
  const dueOf = async (card: SlackMessage) => (await threadOf(card)).slaDueAt!.getTime();

  /**
   * The SLA check as the workers run it (the job the schedule adds), as of `at`: `copies` jobs
   * at once, taken by whichever workers are free; returns once every one of them has finished.
   */
  const checkAt = async (at: number, copies = 1) => {
    const { sla: queue } = t.inbox.h.s.queues;
    const now = new Date(at).toISOString();
    const jobs = await queue.addBulk(
      Array.from({ length: copies }, () => ({ name: 'sla', data: { now }, opts: { attempts: 1, removeOnComplete: false } })),
    );
    await finished(`${copies} SLA check(s) as of ${now}`, queue, jobs);
  };

  it('reminds before the deadline and marks the breach, once each, with many workers running the check', async () => {
    await start();
    t.inbox.h.startWorkers(); // a second worker process's worth of workers and maintenance loop
    t.inbox.h.startWorkers();
    const { card } = await t.mention('my order never arrived, where is it?');
    const due = await dueOf(card);
    const remindFrom = due - REMIND_BEFORE;

    // Just before the reminder point: nothing yet.
    await checkAt(remindFrom - 1000, 3);
    expect(inThread(card, ':alarm_clock:')).toHaveLength(0);
    expect(await threadOf(card)).toMatchObject({ slaRemindedAt: null, slaBreachedAt: null });

    // Just past it, six checks at once on three workers' worth of workers: one reminder.
    await checkAt(remindFrom + 1000, 6);
    const reminders = inThread(card, ':alarm_clock:');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.text).toMatch(/First-response target for this P\d ends .* \(in 30 min\)/);
    expect(inThread(card, ':rotating_light:')).toHaveLength(0);
    expect((await threadOf(card)).slaRemindedAt).toEqual(new Date(remindFrom + 1000));

    // Past the deadline: one breach mark, in the thread and on the card.
    await checkAt(due + 1000, 6);
    const breaches = inThread(card, ':rotating_light:');
    expect(breaches).toHaveLength(1);
    expect(breaches[0]!.text).toContain('SLA breached');
    expect(JSON.stringify(t.inbox.current(card).blocks?.[0])).toContain('SLA breached');

    // Later rounds of the check find nothing more to say.
    await checkAt(due + MINUTE, 3);
    await checkAt(due + 24 * 60 * MINUTE, 3);
    expect(inThread(card, ':alarm_clock:')).toHaveLength(1);
    expect(inThread(card, ':rotating_light:')).toHaveLength(1);
    expect(await threadOf(card)).toMatchObject({
      slaRemindedAt: new Date(remindFrom + 1000),
      slaBreachedAt: new Date(due + 1000),
      firstResponseAt: null,
    });
    // One schedule in Redis, however many processes started it.
    expect(await t.inbox.h.s.queues.sla.getJobSchedulersCount()).toBe(1);
  });

  it('neither reminds nor marks a breach on a conversation an open incident handles (its follow-up will answer it)', async () => {
    await start();
    const { card } = await t.mention('my order never arrived, where is it?');
    const thread = await threadOf(card);
    const { db } = t.inbox.h.s;
    const [incident] = await db.insert(incidents).values({ title: 'Orders stuck', createdBy: agentA.id }).returning();
    await db.update(mentions).set({ incidentId: incident!.id }).where(eq(mentions.id, thread.rootMentionId));
    await checkAt(thread.slaDueAt!.getTime() + MINUTE);
    expect(inThread(card, ':alarm_clock:')).toHaveLength(0);
    expect(inThread(card, ':rotating_light:')).toHaveLength(0);
    // Once it is no longer the incident's (resolved, and no follow-up on its way), the clock counts again.
    await db.update(incidents).set({ state: 'resolved', resolvedAt: new Date() });
    await checkAt(thread.slaDueAt!.getTime() + MINUTE);
    expect(inThread(card, ':rotating_light:')).toHaveLength(1);
  });

  it('waits out a Slack 429 on a reminder and still posts it exactly once', async () => {
    await start();
    const { card } = await t.mention('my order never arrived, where is it?');
    const due = await dueOf(card);
    t.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    await checkAt(due - REMIND_BEFORE + 1000); // refused, the queue paused for Retry-After, the job run again
    const reminders = inThread(card, ':alarm_clock:');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.text).toContain('First-response target');
    const attempts = t.slack.calls.filter((c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith(':alarm_clock:'));
    expect(attempts).toHaveLength(2); // refused with Retry-After: 1, then posted
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
    await checkAt(due + 1000);
    expect(inThread(card, ':rotating_light:')).toHaveLength(1);
    expect(inThread(card, ':alarm_clock:')).toHaveLength(1);
  });

  it('stops the clock at the first reply sent from Slack, storing the time to first response and to resolution', async () => {
    await start();
    const { card } = await t.mention('app crashes when I pay, please help?');
    // Another customer nobody answers: the same check marks their breach, so it did look.
    const { card: unanswered } = await t.mention('still no refund, hello?', { authorId: '12', username: 'kim' });
    const root = async () =>
      (
        await t.inbox.h.s.db
          .select()
          .from(mentions)
          .where(eq(mentions.id, (await threadOf(card)).rootMentionId))
      )[0]!;

    await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'Looking into it now' });
    const answered = await eventually('the first response recorded', async () => {
      const thread = await threadOf(card);
      return thread.firstResponseAt ? thread : undefined;
    });
    // Seconds from the tweet reaching carebot to the reply (both stored, to the microsecond).
    const opened = (await root()).receivedAt.getTime();
    const firstResponseMs = answered.firstResponseAt!.getTime() - opened;
    expect(answered.firstResponseSeconds).toBeGreaterThanOrEqual(Math.floor(firstResponseMs / 1000));
    expect(answered.firstResponseSeconds).toBeLessThanOrEqual(Math.ceil(firstResponseMs / 1000));
    expect(answered.firstResponseAt!.getTime()).toBeLessThan(answered.slaDueAt!.getTime());

    // Past both deadlines.
    await checkAt(Math.max(answered.slaDueAt!.getTime(), await dueOf(unanswered)) + 1000);
    expect(inThread(unanswered, ':rotating_light:')).toHaveLength(1);
    expect(inThread(card, ':rotating_light:')).toHaveLength(0);
    expect((await threadOf(card)).slaBreachedAt).toBeNull();

    // An hour later the agent resolves it. Rather than wait an hour, the conversation's times
    // move an hour back: as far as the code (which counts from the stored times) can tell, the same.
    const hourAgo = (column: AnyColumn) => sql`${column} - interval '1 hour'`;
    await t.inbox.h.s.db
      .update(mentions)
      .set({ receivedAt: hourAgo(mentions.receivedAt) })
      .where(eq(mentions.id, answered.rootMentionId));
    await t.inbox.h.s.db
      .update(slackThreads)
      .set({
        firstResponseAt: hourAgo(slackThreads.firstResponseAt),
        slaDueAt: hourAgo(slackThreads.slaDueAt),
      })
      .where(eq(slackThreads.threadTs, card.ts));
    const since = (await root()).receivedAt.getTime();
    expect(since).toBe(opened - 60 * MINUTE);

    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, actionIds.resolve);
    const resolved = await eventually('resolved', async () => {
      const thread = await threadOf(card);
      return thread.resolutionSeconds != null ? thread : undefined;
    });
    const seen = Date.now();
    // Counted from the tweet reaching carebot (an hour and a bit ago) to the click, not from the reply.
    expect(resolved.resolutionSeconds).toBeGreaterThanOrEqual(Math.floor((resolved.resolvedAt!.getTime() - since) / 1000));
    expect(resolved.resolutionSeconds).toBeLessThanOrEqual(Math.ceil((seen - since) / 1000));
    expect(resolved.resolutionSeconds).toBeGreaterThanOrEqual(3600);
    expect(resolved.firstResponseSeconds).toBe(answered.firstResponseSeconds);
  });
});

// Checks that overlap for real: PostgreSQL, where the test can hold the conversation's row so that
// every check has looked (and found the mark due) before any of them may claim it.
describe.skipIf(!process.env.TEST_DATABASE_URL)('first-response SLA checks at the same moment (PostgreSQL)', () => {
  const t = inboxSuite('postgres');

  it('posts one reminder and one breach mark when three workers check at once', async () => {
    await t.start({ env: { SLA_CHECK_SECONDS: '0.3' }, file: { slack: { sla, slaRemindAt: 0.5 } } });
    t.inbox.h.startWorkers();
    t.inbox.h.startWorkers();
    const { card } = await t.mention('my order never arrived, where is it?');
    const { h } = t.inbox;
    // The card is posted before its ts is stored on the conversation row: wait for the row itself
    // (an empty result is an array, and would count as found).
    const thread = await eventually(
      'the conversation row of the card',
      async () => (await h.s.db.select().from(slackThreads).where(eq(slackThreads.threadTs, card.ts)))[0],
    );
    const due = thread.slaDueAt!.getTime();
    const inThread = (start: string) => t.slack.messages(INBOX).filter((m) => m.thread_ts === card.ts && m.text.startsWith(start));

    const holder = new pg.Client({ connectionString: h.db.url });
    await holder.connect();
    try {
      const checkTogether = async (at: number) => {
        await holder.query('begin');
        await holder.query('select 1 from slack_threads where thread_ts = $1 for update', [card.ts]);
        const now = new Date(at).toISOString();
        const jobs = await h.s.queues.sla.addBulk(
          [1, 2, 3].map(() => ({ name: 'sla', data: { now }, opts: { attempts: 1, removeOnComplete: false } })),
        );
        // All three running at once, and the row's lock holding them: on a loaded machine a check may
        // still be waiting for a connection of the pool it shares with the other stages rather than
        // for the row itself, so "three waiting on the lock" was a race; one is enough to prove it.
        await eventually(
          'three SLA checks running, held at the same mark',
          async () => {
            const states = await Promise.all(jobs.map((j) => j.getState()));
            const { rows } = await holder.query(
              "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
            );
            return states.every((st) => st === 'active') && rows[0].n >= 1;
          },
          60_000,
        );
        await holder.query('commit');
        await finished(`three SLA checks as of ${now}`, h.s.queues.sla, jobs);
      };

      await checkTogether(due - REMIND_BEFORE + 1000);
      expect(inThread(':alarm_clock:')).toHaveLength(1);
      await checkTogether(due + 1000);
      expect(inThread(':rotating_light:')).toHaveLength(1);
      expect(inThread(':alarm_clock:')).toHaveLength(1);
    } finally {
      await holder.end();
    }
  });
});
