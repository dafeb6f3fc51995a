import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { SlackMessage } from '../../fakes/slack.js';
import { auditLog, incidents, mentions, replies, slackThreads } from '../../src/db/schema.js';
import { sendReply } from '../../src/pipeline/outbound.js';
import { actionIds } from '../../src/slack/views/action-ids.js';
import { INBOX, agentA, agentB } from '../slack/inbox-harness.js';
import { dbKinds } from '../support/db.js';
import { eventually } from '../support/services.js';
import { drained } from '../support/settle.js';
import { incidentSuite } from './incident-harness.js';

interface Customer {
  id: string;
  name: string;
  text: string;
}

describe.each(dbKinds)('incidents: a sent follow-up closes the cards it answers (%s)', (kind) => {
  const t = incidentSuite(kind);
  const fast = { repliesPerMinute: { twitter: 6000, discord: 6000 } };
  const db = () => t.inbox.h.s.db;

  /** Customers who complained before anyone declared the incident: a card each. */
  const complain = async (who: Customer[]) => {
    const tweets = who.map((c) => t.x.addMention({ text: c.text, authorId: c.id, username: c.name }));
    await t.inbox.poll();
    const cards = await Promise.all(who.map((c) => t.inbox.card(c.text)));
    return who.map((c, i) => ({ ...c, tweet: tweets[i]!, card: cards[i]! }));
  };
  const declare = async () => {
    const { card } = await t.declare({
      title: 'Login outage',
      keywords: 'login',
      public_text: 'We are investigating problems signing in.',
    });
    const [incident] = await db().select().from(incidents);
    return { card, id: incident!.id };
  };
  const resolve = async (incidentCard: SlackMessage) => {
    const modals = t.slack.modals().length;
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(incidentCard), agentA, 'carebot.incident_resolve');
    await eventually('the resolve modal', () => t.slack.modals().length > modals);
    expect((await t.inbox.slackEvents.submitView(t.lastModal().id, agentA, {})).status).toBe(200);
  };
  const threadOf = async (card: SlackMessage) => (await db().select().from(slackThreads).where(eq(slackThreads.threadTs, card.ts)))[0]!;
  const statusLine = (card: SlackMessage) => JSON.stringify(t.inbox.current(card).blocks?.[0]);
  const updatesOf = (card: SlackMessage) => t.slack.calls.filter((c) => c.method === 'chat.update' && c.body.ts === card.ts);
  const followUps = () => db().select().from(replies).where(eq(replies.kind, 'follow_up')).orderBy(replies.id);
  const followUpTo = async (c: { id: string }) =>
    (
      await db()
        .select({ reply: replies })
        .from(replies)
        .innerJoin(mentions, eq(mentions.id, replies.mentionId))
        .where(and(eq(replies.kind, 'follow_up'), eq(mentions.authorId, c.id)))
    )[0]?.reply;
  const systemResolves = () =>
    db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'resolve'), eq(auditLog.actor, 'system')));
  /** What a second delivery of each follow-up's job does (a worker that died after sending, a duplicate job). */
  const deliverAgain = async () => {
    for (const r of await followUps()) await sendReply(t.inbox.h.s, r.id);
  };
  const home = async (user: string) => {
    const before = t.slack.calls.filter((c) => c.method === 'views.publish').length;
    await t.inbox.slackEvents.appHomeOpened(user);
    const call = await eventually('the published Home', () => t.slack.calls.filter((c) => c.method === 'views.publish')[before]);
    return JSON.stringify(call.body.view);
  };

  it("closes every linked card once its customer's follow-up is sent (an assigned one too), re-rendered with the incident line; a second delivery changes nothing", async () => {
    await t.startAll(fast);
    const [ann, bob, cat, gus, dan] = await complain([
      { id: '21', name: 'ann', text: 'login keeps failing since this morning' },
      { id: '22', name: 'bob', text: 'cannot login on the app' },
      { id: '23', name: 'cat', text: 'login is broken again, so annoying' },
      { id: '24', name: 'gus', text: 'login error every single time, terrible' },
      { id: '25', name: 'dan', text: 'how do I change my billing address?' },
    ]);
    // Ben took bob's conversation before the incident was declared.
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(bob!.card), agentB, actionIds.assignMe);
    await eventually('the assignment', () => statusLine(bob!.card).includes('Assigned'));
    const incident = await declare();
    const linked = await db().select().from(mentions).where(eq(mentions.incidentId, incident.id));
    expect(linked.map((m) => m.authorHandle).sort()).toEqual(['ann', 'bob', 'cat', 'gus']);

    // gus took his tweet back: his follow-up is skipped, and nobody has told him anything.
    t.x.deleteTweet(gus!.tweet.id);
    await resolve(incident.card);
    await eventually('the follow-ups settled', async () => {
      const rows = await followUps();
      return rows.length === 4 && rows.every((r) => r.state === 'sent' || r.state === 'skipped');
    });
    const closed = [ann!, bob!, cat!];
    // The card is re-rendered after the row is resolved.
    await eventually('the followed-up cards re-rendered resolved', () => closed.every((c) => statusLine(c.card).includes('Resolved')));

    const line = `linked to incident #${incident.id}`;
    for (const c of closed) {
      const thread = await threadOf(c.card);
      expect(thread).toMatchObject({ status: 'resolved', resolvedAt: expect.any(Date), replyingUser: null });
      expect(thread.resolutionSeconds).toBeGreaterThanOrEqual(0);
      // Re-rendered in place: resolved, with the incident named, and Reopen as its only button.
      const update = JSON.stringify(updatesOf(c.card).at(-1)?.body.blocks);
      expect(update).toContain(':white_check_mark: Resolved');
      expect(update).toContain(line);
      expect(statusLine(c.card)).toContain(line);
      expect(JSON.stringify(t.inbox.current(c.card).blocks)).toContain(actionIds.reopen);
    }
    // The assignee stays on the row: a reopened conversation is Ben's again.
    expect((await threadOf(bob!.card)).assignee).toBe(agentB.id);
    // Audited as carebot's own doing, once per conversation.
    const audits = await systemResolves();
    expect(audits.map((a) => a.subjectId).sort()).toEqual(closed.map((c) => `twitter:${c.tweet.id}`).sort());
    expect(audits.find((a) => a.subjectId === `twitter:${bob!.tweet.id}`)!.detail).toMatchObject({
      from: { status: 'assigned', assignee: agentB.id },
      to: { status: 'resolved', assignee: agentB.id },
      reason: 'incident follow-up sent',
      incidentId: incident.id,
    });

    // Nobody told gus, and dan's question was never part of it: both stay open.
    expect((await threadOf(gus!.card)).status).toBe('new');
    expect((await threadOf(dan!.card)).status).toBe('new');
    expect(statusLine(dan!.card)).not.toContain('linked to incident');

    // A second delivery of every follow-up: nothing sent, closed, audited or re-rendered again.
    await drained(t.inbox.h, ['outbound']);
    const before = {
      threads: await Promise.all([...closed, gus!].map((c) => threadOf(c.card))),
      updates: [...closed, gus!].map((c) => updatesOf(c.card).length),
      posted: t.x.posted.length,
    };
    await deliverAgain();
    expect(await Promise.all([...closed, gus!].map((c) => threadOf(c.card)))).toEqual(before.threads);
    expect([...closed, gus!].map((c) => updatesOf(c.card).length)).toEqual(before.updates);
    expect(t.x.posted).toHaveLength(before.posted);
    expect(await systemResolves()).toHaveLength(3);
  });

  it('keeps open the card of a customer who wrote again after their follow-up went out, even before carebot recorded it sent', async () => {
    await t.startAll(fast);
    const customers = await complain([
      { id: '31', name: 'eve', text: 'login keeps failing since this morning' },
      { id: '32', name: 'fay', text: 'cannot login on the app' },
    ]);
    const incident = await declare();
    // The first follow-up reaches X, and eve or fay answers it before X's answer reaches carebot.
    const held = t.x.holdNext('POST /2/tweets');
    await resolve(incident.card);
    await held.arrived;
    const first = await eventually('the first follow-up on X', () => t.x.posted.find((p) => p.text.includes('is fixed')));
    const quick = customers.find((c) => c.tweet.id === first.inReplyTo)!;
    const other = customers.find((c) => c !== quick)!;
    t.x.addMention({
      text: 'still cannot log in, nothing is fixed',
      authorId: quick.id,
      username: quick.name,
      conversationId: quick.tweet.id,
      inReplyToTweetId: first.id,
    });
    await t.inbox.poll();
    await eventually('the answer in the card thread', () =>
      t.slack.messages(INBOX).find((m) => m.thread_ts === quick.card.ts && m.text.includes('nothing is fixed')),
    );
    held.release();

    await eventually("the other customer's card resolved", async () => (await threadOf(other.card)).status === 'resolved');
    await eventually('both follow-ups sent', async () => (await followUps()).every((r) => r.state === 'sent'));
    await drained(t.inbox.h, ['outbound']);
    expect(await threadOf(quick.card)).toMatchObject({ status: 'new', resolvedAt: null });
    expect(statusLine(quick.card)).toContain(':new: New');

    // The other writes after their card closed: it reopens (as any card does), and stays open.
    const otherFollowUp = (await followUpTo(other))!;
    t.x.addMention({
      text: 'it broke again just now',
      authorId: other.id,
      username: other.name,
      conversationId: other.tweet.id,
      inReplyToTweetId: otherFollowUp.externalId!,
    });
    await t.inbox.poll();
    await eventually('the card reopened', async () => (await threadOf(other.card)).status === 'new');

    // Delivered again: neither conversation is closed over what the customer said since.
    await deliverAgain();
    expect((await threadOf(quick.card)).status).toBe('new');
    expect((await threadOf(other.card)).status).toBe('new');
    expect((await systemResolves()).map((a) => a.subjectId)).toEqual([`twitter:${other.tweet.id}`]);
  });

  it('leaves open, and back in the unassigned queue, the card of a customer whose follow-up failed', async () => {
    // One follow-up a minute: the first goes at once, the second waits its turn.
    await t.startAll({ repliesPerMinute: { twitter: 1 } });
    const customers = await complain([
      { id: '41', name: 'hal', text: 'login keeps failing since this morning' },
      { id: '42', name: 'ivy', text: 'cannot login on the app' },
    ]);
    const incident = await declare();
    expect(await home(agentA.id)).toContain('Linked to incidents (2)');
    await resolve(incident.card);
    const [sent, waiting] = await eventually('one follow-up sent, one waiting', async () => {
      const rows = await followUps();
      const s = rows.find((r) => r.state === 'sent');
      const w = rows.find((r) => r.state === 'pending');
      return rows.length === 2 && s && w && [s, w];
    });
    const authorOf = async (r: { mentionId: number }) =>
      (await db().select().from(mentions).where(eq(mentions.id, r.mentionId)))[0]!.authorId;
    const sentTo = await authorOf(sent!);
    const reached = customers.find((c) => c.id === sentTo)!;
    const missed = customers.find((c) => c !== reached)!;
    await eventually('the reached customer’s card resolved', async () => (await threadOf(reached.card)).status === 'resolved');
    // Resolved, its follow-up still on its way: not the team's to answer yet.
    const whileWaiting = await home(agentA.id);
    expect(whileWaiting).toContain('Linked to incidents (1)');
    expect(whileWaiting).toContain('Unassigned (0)');

    // A worker without X logged in takes the waiting follow-up: it fails.
    const s = t.inbox.h.s;
    const withoutX = {
      ...s,
      connectors: {},
      config: { ...s.config, file: { ...s.config.file, incidents: { ...s.config.file.incidents, repliesPerMinute: {} } } },
    };
    await expect(sendReply(withoutX, waiting!.id)).rejects.toThrow(/twitter is not connected/);
    expect((await followUpTo(missed))!.state).toBe('failed');

    expect(await threadOf(missed.card)).toMatchObject({ status: 'new', resolvedAt: null });
    expect((await systemResolves()).map((a) => a.subjectId)).toEqual([`twitter:${reached.tweet.id}`]);
    const after = await home(agentA.id);
    expect(after).not.toContain('Linked to incidents');
    expect(after).toContain('Unassigned (1)');
    expect(after).toContain(missed.text);
  });
});
